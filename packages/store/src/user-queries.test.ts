import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { newTask, storePerFile } from "./testing-store.ts";

const { store } = storePerFile();

describe("user queries", () => {
  it("creates a user once, with the identity its commits are authored as", async () => {
    expect(await store().users.ensure("ada", "member", "admin", { email: "ada@example.com" })).toBe(true);
    expect(await store().users.ensure("ada", "admin", "admin")).toBe(false);
    expect(await store().users.find("ada")).toMatchObject({ name: "ada", role: "member", email: "ada@example.com" });
    expect(await store().users.setIdentity("ada", { displayName: "Ada L." })).toMatchObject({
      email: "ada@example.com",
      displayName: "Ada L.",
    });
    expect(await store().users.find("nobody")).toBeNull();
  });

  it("authenticates a token until it is revoked, and refuses tokens for unknown users", async () => {
    await store().users.ensure("bob", "viewer", "admin");
    const { token, info } = await store().users.createToken("bob", "laptop");
    expect(await store().users.authenticate(token)).toEqual({ name: "bob", role: "viewer" });
    expect(await store().users.authenticate(`${token}x`)).toBeNull();
    expect((await store().users.tokens("bob")).map((listed) => listed.id)).toEqual([info.id]);
    expect((await store().users.revokeToken(info.id))?.revokedAt).not.toBeNull();
    expect(await store().users.authenticate(token)).toBeNull();
    const refused = await store()
      .users.createToken("ghost", "x")
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CadreError);
    expect((refused as CadreError).code).toBe("not_found");
  });

  it("grants and ungrants repositories, and counts the tasks a user created", async () => {
    await store().users.ensure("cy", "member", "admin");
    const { repoId } = await newTask(store());
    await store().users.grant("cy", repoId, "admin");
    await store().users.grant("cy", repoId, "admin");
    expect(await store().users.grantedRepos("cy")).toEqual([repoId]);
    await store().users.ungrant("cy", repoId);
    expect(await store().users.grantedRepos("cy")).toEqual([]);
    expect(await store().users.tasksCreatedSince("admin", 60_000)).toBe(1);
    expect(await store().users.tasksCreatedSince("cy", 60_000)).toBe(0);
  });
});
