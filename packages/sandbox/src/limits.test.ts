import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "@cadre/protocol";
import { cgroupSupport } from "./cgroup-limits.ts";
import { SandboxManager } from "./sandbox-manager.ts";
import { hostProcessesWith, makeTestRepo, testEnvironment, testRequest, type TestRepo } from "./test-support.ts";
import type { Workspace } from "./types.ts";

async function noneLeft(marker: string): Promise<void> {
  // Teardown is asynchronous in the kernel; give it a moment before concluding.
  for (let i = 0; i < 50 && hostProcessesWith(marker).length > 0; i++) await sleep(50);
  expect(hostProcessesWith(marker)).toEqual([]);
}

describe("resource limits and teardown", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const manager = new SandboxManager({ root: join(home, "sandboxes") });
  let repo: TestRepo;
  let ws: Workspace;

  beforeAll(async () => {
    repo = makeTestRepo({ "a.txt": "a\n" });
    const environment = testEnvironment({
      limits: { ...DEFAULT_LIMITS, maxProcesses: 64, diskMb: 16, outputBytes: 2048, commandTimeoutMs: 20_000 },
    });
    ws = await manager.provision(testRequest(repo, { environment }));
  });
  afterAll(async () => {
    await ws.destroy();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("timeout kills the command and its background child", async () => {
    const marker = `cadre-bg-${process.pid}-${Date.now()}`;
    const r = await ws.exec(`(exec -a ${marker} sleep 300) & echo started; sleep 300`, { timeoutMs: 1500 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.output).toContain("started");
    await noneLeft(marker);
  });

  it("the environment's command timeout is a ceiling a caller cannot raise", async () => {
    const environment = testEnvironment({ limits: { ...DEFAULT_LIMITS, commandTimeoutMs: 1000 } });
    const short = await manager.provision(testRequest(repo, { environment }));
    try {
      expect(short.commandTimeoutMs).toBe(1000);
      const r = await short.exec("sleep 10; echo late", { timeoutMs: 3_600_000 });
      expect(r.timedOut).toBe(true);
      expect(r.output).not.toContain("late");
    } finally {
      await short.destroy();
    }
  });

  it("cancellation stops the command and everything it started", async () => {
    const marker = `cadre-cancel-${process.pid}-${Date.now()}`;
    const ac = new AbortController();
    const started = Date.now();
    setTimeout(() => ac.abort(), 300);
    const r = await ws.exec(`(exec -a ${marker} sleep 300) & sleep 300`, { signal: ac.signal });
    expect(r.cancelled).toBe(true);
    // Far short of the 300 s the command would run: it was stopped, not waited for.
    expect(Date.now() - started).toBeLessThan(60_000);
    await noneLeft(marker);
  });

  it("contains a fork bomb and tears it down", async () => {
    const marker = `cadre-bomb-${process.pid}-${Date.now()}`;
    const r = await ws.exec(`bomb() { bomb | bomb & }; bomb; sleep 2; echo ${marker}-alive`, { timeoutMs: 4000 });
    expect(r.exitCode === null || r.output.includes("fork") || r.output.includes("retry")).toBe(true);
    await noneLeft(marker);
    // The host can still start processes, and the workspace is usable afterwards.
    const after = await ws.exec("echo ok");
    expect(after.output).toBe("ok\n");
  });

  it("contains an endless writer to one file and names the limit", async () => {
    const r = await ws.exec("cat /dev/zero > big.bin");
    expect(r.exitCode).toBe(153);
    expect(r.limit).toBe("killed: file size limit (the disk limit of 16 MB)");
    expect(r.output).toContain("[cadre: killed: file size limit");
    expect(await ws.diskUsage()).toBeLessThanOrEqual(17 * 1024 * 1024);
    await ws.deleteFile("big.bin");
  });

  it("kills a writer of many files at the disk limit", async () => {
    const r = await ws.exec("i=0; while true; do head -c 1000000 /dev/zero > f$i.bin; i=$((i+1)); done");
    expect(r.exitCode).toBeNull();
    expect(r.limit).toBe("killed: disk limit 16 MB (the workspace outgrew it)");
    expect(r.output).toContain("[cadre: killed: disk limit 16 MB");
    await ws.exec("rm -f f*.bin");
  });

  // Kills by the memory limit and refused forks are counted by the command's cgroups, where Cadre may make them.
  it.skipIf(cgroupSupport().memory === null || cgroupSupport().pids === null)(
    "names the memory and process limits when they stop a command, instead of a bare exit code",
    async () => {
      const environment = testEnvironment({ limits: { ...DEFAULT_LIMITS, memoryMb: 64, maxProcesses: 32 } });
      const small = await manager.provision(testRequest(repo, { environment }));
      try {
        // tmpfs pages count against the memory cgroup: the kernel's OOM killer ends the writer.
        const oom = await small.exec("head -c 200m /dev/zero > /tmp/big; echo survived");
        expect(oom.output).not.toContain("survived");
        expect(oom.limit).toBe("killed: memory limit 64 MB");
        expect(oom.output).toContain("[cadre: killed: memory limit 64 MB]");
        const forks = await small.exec("for i in $(seq 1 40); do sleep 2 & done; wait");
        expect(forks.limit).toMatch(/^process limit 32 reached: \d+ new process(es were| was) refused$/);
        const fine = await small.exec("echo fine");
        expect(fine.limit).toBeUndefined();
      } finally {
        await small.destroy();
      }
    },
  );

  it("sets the process, data and file size rlimits, soft and hard, on the command", async () => {
    const r = await ws.exec("grep -E '^Max (processes|data size|file size)' /proc/self/limits");
    expect(r.exitCode).toBe(0);
    const limit = (name: string): string[] =>
      (new RegExp(`^Max ${name}\\s+(\\S+)\\s+(\\S+)`, "m").exec(r.output) ?? []).slice(1);
    expect(limit("processes")).toEqual(["64", "64"]);
    const data = String(DEFAULT_LIMITS.memoryMb * 1024 * 1024);
    expect(limit("data size")).toEqual([data, data]);
    expect(limit("file size")).toEqual([String(16 * 1024 * 1024), String(16 * 1024 * 1024)]);
  });

  it("hands the sandbox's pid 1 an empty environment (the launcher's PATH and SHLVL stay outside)", async () => {
    const r = await ws.exec("wc -c < /proc/1/environ");
    expect(r.exitCode).toBe(0);
    expect(r.output.trim()).toBe("0");
  });

  it("caps /tmp", async () => {
    const r = await ws.exec("cat /dev/zero > /tmp/fill");
    expect(r.exitCode).not.toBe(0);
  });

  it("caps output keeping head and tail", async () => {
    const r = await ws.exec("seq 1 20000");
    expect(r.truncated).toBe(true);
    expect(r.totalBytes).toBe(108894);
    expect(r.output.startsWith("1\n2\n")).toBe(true);
    expect(r.output.endsWith("19999\n20000\n")).toBe(true);
    expect(r.output).toMatch(/\[\.\.\. \d+ bytes omitted \.\.\.\]/);
    expect(Buffer.byteLength(r.output)).toBeLessThan(2200);
  });

  it("streams stdout and stderr in arrival order", async () => {
    const chunks: string[] = [];
    const r = await ws.exec("echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three", {
      onOutput: (_s, c) => chunks.push(c),
    });
    expect(r.output).toBe("one\ntwo\nthree\n");
    expect(chunks.join("")).toBe("one\ntwo\nthree\n");
  });
});
