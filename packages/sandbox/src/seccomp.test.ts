import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxManager } from "./sandbox-manager.ts";
import { loadSeccompProgram } from "./seccomp-program.ts";
import { makeTestRepo, testRequest, type TestRepo } from "./test-support.ts";
import type { Workspace } from "./types.ts";

describe("the seccomp filter", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const manager = new SandboxManager({ root: join(home, "sandboxes") });
  let repo: TestRepo;
  let ws: Workspace;

  beforeAll(async () => {
    repo = makeTestRepo({ "a.txt": "a\n" });
    ws = await manager.provision(testRequest(repo));
  });
  afterAll(async () => {
    await ws.destroy();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("is compiled once into the Cadre home, by content hash, and reused", async () => {
    const dir = join(home, "sandboxes", "seccomp");
    const [file] = readdirSync(dir);
    expect(file).toMatch(/^[0-9a-f]{32}\.bpf$/);
    const before = statSync(join(dir, file as string));
    const again = await loadSeccompProgram(dir);
    expect(again.length).toBe(before.size);
    expect(again.length % 8).toBe(0);
    expect(statSync(join(dir, file as string)).mtimeMs).toBe(before.mtimeMs);
  });

  it("is loaded for every command (seccomp mode 2)", async () => {
    const r = await ws.exec("grep '^Seccomp:' /proc/self/status");
    expect(r.output).toMatch(/Seccomp:\s+2/);
  });

  it("refuses new user namespaces and kernel keyrings with EPERM", async () => {
    const r = await ws.exec(
      `unshare -U true; echo "unshare=$?"; python3 -c 'import ctypes, platform; libc = ctypes.CDLL(None, use_errno=True); n = {"x86_64": 250, "aarch64": 219}[platform.machine()]; print("keyctl", libc.syscall(n, 0, -3, 0), ctypes.get_errno())'`,
    );
    expect(r.output).toContain("Operation not permitted");
    expect(r.output).toContain("unshare=1");
    expect(r.output).toContain("keyctl -1 1");
  });
});
