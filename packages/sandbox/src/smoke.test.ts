import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, testRequest } from "./test-support.ts";

describe("smoke", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const repo = makeTestRepo({ "a.txt": "hello\n", "dir/b.txt": "b\n", "run.sh": "#!/bin/sh\necho run\n" });
  const manager = new SandboxManager({ root: join(home, "sandboxes") });
  afterAll(() => {
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("provisions, runs, edits and reports changes", async () => {
    const ws = await manager.provision(testRequest(repo));
    const r = await ws.exec("cat a.txt; id -u; echo changed > a.txt; rm dir/b.txt; echo new > n.txt; chmod +x a.txt; pwd");
    console.log(r);
    expect(r.exitCode).toBe(0);
    console.log(await ws.changes());
    console.log(await ws.readFile("a.txt"), await ws.diskUsage());
    await ws.destroy();
  });
});
