import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, NetworkPolicy } from "@cadre/protocol";
import { storePerFile } from "./testing-store.ts";

const { store } = storePerFile();

describe("repo and environment queries", () => {
  it("finds a repo by id or name, an id winning over a name equal to it, and lists by name", async () => {
    const calc = await store().repos.create({ name: "calc", origin: "/srv/calc", defaultBranch: "main" });
    const shadow = await store().repos.create({ name: calc.id, origin: "/srv/shadow", defaultBranch: "main" });
    expect(await store().repos.find(calc.id)).toMatchObject({ id: calc.id, origin: "/srv/calc" });
    expect(await store().repos.find("calc")).toMatchObject({ id: calc.id, forge: null });
    expect(await store().repos.findByName(calc.id)).toMatchObject({ id: shadow.id });
    expect((await store().repos.list()).map((repo) => repo.name)).toEqual([calc.id, "calc"].sort());
    expect(await store().repos.find("nothing")).toBeNull();
  });

  it("keeps an environment's secrets encrypted apart from what it shows", async () => {
    const repo = await store().repos.create({ name: "env-repo", origin: "/srv/env", defaultBranch: "main" });
    const created = await store().environments.create({
      name: "node",
      repoId: repo.id,
      allowedRepoIds: [],
      setupScript: "npm ci",
      maintenanceScript: "",
      variables: { CI: "1" },
      encryptedSecrets: { TOKEN: "v1:iv:tag:cipher" },
      networkPolicy: NetworkPolicy.parse({ mode: "off" }),
      limits: DEFAULT_LIMITS,
      testCommand: "npm test",
      instructions: "",
      setupTtlMs: 3_600_000,
      image: null,
    });
    expect(created).toMatchObject({ name: "node", repoId: repo.id, secretNames: ["TOKEN"], testCommand: "npm test" });
    expect(JSON.stringify(created)).not.toContain("v1:iv:tag:cipher");
    expect(await store().environments.find("node")).toMatchObject({ id: created.id });
    expect(await store().environments.encryptedSecrets(created.id)).toEqual({ TOKEN: "v1:iv:tag:cipher" });
  });
});
