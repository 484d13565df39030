import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, testEnvironment, testRequest, type TestRepo } from "./test-support.ts";

/** Regular files under `dir` with a setuid or setgid bit. */
function setIdFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...setIdFiles(path));
    else if (entry.isFile() && (statSync(path).mode & 0o6000) !== 0) found.push(path);
  }
  return found;
}

/** The mount options of `path` in whichever process's mount namespace has it mounted. */
function mountOptionsOf(path: string): string | null {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const line = readFileSync(`/proc/${pid}/mountinfo`, "utf8")
        .split("\n")
        .find((l) => l.split(" ")[4] === path);
      if (line) return line.split(" ")[5] ?? null;
    } catch {
      // exited meanwhile
    }
  }
  return null;
}

describe("setuid files and the layers on the host disk", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const root = join(home, "sandboxes");
  let repo: TestRepo;

  beforeAll(() => {
    repo = makeTestRepo({ "a.txt": "a\n" });
    // Made open to everyone before Cadre starts: the manager must close it again.
    mkdirSync(root, { mode: 0o755 });
    chmodSync(root, 0o755);
  });
  afterAll(() => {
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("mounts the upper layer nosuid,nodev, strips set-id bits at checkpoint and after setup, keeps layers private", async () => {
    const manager = new SandboxManager({ root });
    const environment = testEnvironment({
      key: "suid-setup",
      setupScript: "cp /bin/true ./setup-suid && chmod 4755 ./setup-suid",
    });
    const ws = await manager.provision(testRequest(repo, { environment }));
    expect(statSync(root).mode & 0o777).toBe(0o700);
    expect(mountOptionsOf(join(root, "attempts", ws.attemptId, "merged"))).toMatch(/nosuid.*nodev|nodev.*nosuid/);
    expect(setIdFiles(join(root, "setup"))).toEqual([]);
    const made = await ws.exec(
      "cp /bin/true ./suid && chmod 4755 ./suid && cp /bin/true ./sgid && chmod 2755 ./sgid && stat -c %a suid sgid",
    );
    expect(made.output).toBe("4755\n2755\n");
    await ws.changes();
    expect(setIdFiles(root)).toEqual([]);
    expect((await ws.exec("stat -c %a suid sgid")).output).toBe("755\n755\n");
    await ws.destroy();
  });
});
