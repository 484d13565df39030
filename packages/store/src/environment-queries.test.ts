import { expect, it } from "vitest";
import { DEFAULT_LIMITS } from "@cadre/protocol";
import type { EnvironmentRecord } from "./environment-queries.ts";
import { onEachBackend } from "./testing-store.ts";

function record(name: string, overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  return {
    name,
    repoId: null,
    allowedRepoIds: [],
    setupScript: "npm ci",
    maintenanceScript: "",
    variables: { NODE_ENV: "test" },
    encryptedSecrets: { NPM_TOKEN: "v1:sealed-npm", API_KEY: "v1:sealed-api" },
    networkPolicy: { mode: "allowlist", allow: ["registry.npmjs.org"], readOnlyMethods: true },
    limits: { ...DEFAULT_LIMITS, commandTimeoutMs: 60_000 },
    testCommand: "npm test",
    instructions: "Use npm.",
    setupTtlMs: 3_600_000,
    image: null,
    ...overrides,
  };
}

onEachBackend("environment queries", (store) => {
  it("stores every field and hands back secret names only, never their values", async () => {
    const repo = await store().repos.create({ name: "env-repo", origin: "/tmp/env-repo", defaultBranch: "main" });
    const created = await store().environments.create(
      record("node", { repoId: repo.id, allowedRepoIds: [repo.id], image: "debian:12" }),
    );
    expect(created).toMatchObject({
      name: "node",
      repoId: repo.id,
      allowedRepoIds: [repo.id],
      setupScript: "npm ci",
      variables: { NODE_ENV: "test" },
      secretNames: ["API_KEY", "NPM_TOKEN"],
      networkPolicy: { mode: "allowlist", allow: ["registry.npmjs.org"], readOnlyMethods: true },
      limits: { commandTimeoutMs: 60_000 },
      testCommand: "npm test",
      setupTtlMs: 3_600_000,
      image: "debian:12",
    });
    expect(JSON.stringify(created)).not.toContain("sealed");
    expect(await store().environments.encryptedSecrets(created.id)).toEqual({
      NPM_TOKEN: "v1:sealed-npm",
      API_KEY: "v1:sealed-api",
    });
  });

  it("finds by id or by name, and an id wins over another environment named like it", async () => {
    const first = await store().environments.create(record("first"));
    const namedLikeFirst = await store().environments.create(record(first.id));
    expect((await store().environments.find("first"))?.id).toBe(first.id);
    expect((await store().environments.find(first.id))?.id).toBe(first.id);
    expect((await store().environments.find(namedLikeFirst.id))?.id).toBe(namedLikeFirst.id);
    expect(await store().environments.find("nothing-by-this-name")).toBeNull();
  });

  it("updates in place and moves updatedAt on", async () => {
    const before = await store().environments.create(record("to-update"));
    const after = await store().environments.update(
      before.id,
      record("renamed", { encryptedSecrets: {}, networkPolicy: { mode: "off", allow: [], readOnlyMethods: false } }),
    );
    expect(after.id).toBe(before.id);
    expect(after.name).toBe("renamed");
    expect(after.secretNames).toEqual([]);
    expect(after.networkPolicy.mode).toBe("off");
    expect(Date.parse(after.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
    expect(await store().environments.find("to-update")).toBeNull();
    expect(await store().environments.encryptedSecrets(before.id)).toEqual({});
  });

  it("refuses a second environment of the same name and keeps the first as it was", async () => {
    const original = await store().environments.create(record("unique-name"));
    await expect(store().environments.create(record("unique-name", { setupScript: "other" }))).rejects.toThrow();
    const kept = await store().environments.find("unique-name");
    expect(kept?.id).toBe(original.id);
    expect(kept?.setupScript).toBe("npm ci");
  });

  it("lists by name", async () => {
    const names = (await store().environments.list()).map((environment) => environment.name);
    expect(names).toEqual([...names].sort());
    expect(names).toContain("renamed");
  });

  it("has no secrets for an unknown environment", async () => {
    expect(await store().environments.encryptedSecrets("env_unknown")).toEqual({});
  });
});
