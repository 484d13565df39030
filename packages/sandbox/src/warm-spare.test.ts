import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxManager } from "./sandbox-manager.ts";
import { SandboxWorkspace } from "./sandbox-workspace.ts";
import { hostProcessesWith, makeTestRepo, testRequest, type TestRepo } from "./test-support.ts";
import { SandboxError } from "./types.ts";

describe("commands run in the holder's warm spare", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-spare-"));
  const manager = new SandboxManager({ root: join(home, "sandboxes") });
  let repo: TestRepo;
  let ws: SandboxWorkspace;
  let maxProcesses = 0;

  /** Runs a command and says whether it ran in a spare. */
  const run = async (command: string, opts: { cwd?: string; env?: Record<string, string> } = {}) => {
    const before = ws.sparesTaken;
    const result = await ws.exec(command, opts);
    return { ...result, spared: ws.sparesTaken > before };
  };

  beforeAll(async () => {
    repo = makeTestRepo({ "a.txt": "a\n", "sub/b.txt": "b\n" });
    const request = testRequest(repo);
    maxProcesses = request.environment.limits.maxProcesses;
    const opened = await manager.provision(request);
    if (!(opened instanceof SandboxWorkspace)) throw new SandboxError("sandbox_error", "not a SandboxWorkspace");
    ws = opened;
  });
  afterAll(async () => {
    await ws.destroy();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("gives each command a fresh /tmp and pid namespace, and never reuses a spare", async () => {
    const count = "n=0; for p in /proc/[0-9]*; do n=$((n+1)); done; echo $n $$";
    const first = await run(`echo one > /tmp/mark; ${count}`);
    expect(first.exitCode).toBe(0);
    expect(first.spared).toBe(false);
    // A spare is built once a launch repeats: after the second command of the same launch.
    expect((await run("true")).spared).toBe(false);
    const second = await run(`test -e /tmp/mark && echo present || echo absent; echo two > /tmp/mark2; ${count}`);
    expect(second.spared).toBe(true);
    const third = await run(`test -e /tmp/mark2 && echo present || echo absent; ${count}`);
    expect(third.spared).toBe(true);
    expect(second.output.split("\n")[0]).toBe("absent");
    expect(third.output.split("\n")[0]).toBe("absent");
    // As many processes in the namespace as a command started without a spare sees, at the same pid.
    expect(second.output.split("\n")[1]).toBe(first.output.split("\n")[0]);
    expect(third.output.split("\n")[1]).toBe(first.output.split("\n")[0]);
  });

  it("hands the command only stdin (/dev/null), stdout and stderr (write-only), no stub FIFO", async () => {
    const probe =
      'for f in /proc/$$/fd/*; do printf "%s " "${f##*/}"; done; echo; readlink /proc/$$/fd/0; grep flags /proc/$$/fdinfo/1; echo "$SHLVL"';
    // Another env: launched the normal way, the reference; the same again runs in the spare built for it.
    const normal = await run(probe, { env: { CADRE_FD_PROBE: "1" } });
    await run(probe, { env: { CADRE_FD_PROBE: "1" } });
    const result = await run(probe, { env: { CADRE_FD_PROBE: "1" } });
    expect(normal.spared).toBe(false);
    expect(result.spared).toBe(true);
    expect(result.output).toBe(normal.output);
    const [fds, stdin, flags, shlvl] = result.output.split("\n");
    // 3 is the glob's own directory, open while bash lists it.
    expect(fds).toBe("0 1 2 3 ");
    expect(stdin).toBe("/dev/null");
    // O_WRONLY (the low two bits 01), not the read-write end the spare's job held.
    expect(Number.parseInt((flags ?? "").split(/\s+/)[1] ?? "", 8) & 3).toBe(1);
    expect(shlvl).toBe("1");
  });

  it("keeps the environment's rlimits", async () => {
    await run("true");
    await run("true");
    const result = await run("ulimit -u");
    expect(result.spared).toBe(true);
    expect(result.output.trim()).toBe(String(maxProcesses));
  });

  it("does not run a command with another cwd or env in a spare built for the last one", async () => {
    await run("true");
    const inSub = await run("pwd; cat b.txt", { cwd: "sub" });
    expect(inSub.spared).toBe(false);
    expect(inSub.output).toBe("/workspace/sub\nb\n");
    const withEnv = await run('echo "$CADRE_SPARE_TEST"', { env: { CADRE_SPARE_TEST: "x" } });
    expect(withEnv.spared).toBe(false);
    expect(withEnv.output).toBe("x\n");
    // Same launch again: a spare is built for it once it repeats, and matches.
    expect((await run('echo "$CADRE_SPARE_TEST"', { env: { CADRE_SPARE_TEST: "x" } })).spared).toBe(false);
    const again = await run('echo "$CADRE_SPARE_TEST"', { env: { CADRE_SPARE_TEST: "x" } });
    expect(again.spared).toBe(true);
    expect(again.output).toBe("x\n");
  });

  it("kills everything a spared command started at its timeout", async () => {
    await run("true");
    await run("true");
    const marker = `31.${process.pid}7`;
    const before = ws.sparesTaken;
    const result = await ws.exec(`sleep ${marker} & sleep ${marker}`, { timeoutMs: 500 });
    expect(ws.sparesTaken).toBe(before + 1);
    expect(result.timedOut).toBe(true);
    expect(hostProcessesWith(marker)).toEqual([]);
  });
});
