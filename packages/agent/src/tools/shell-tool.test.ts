import type { EventBody } from "@cadre/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { ExecResult } from "../agent-sandbox.ts";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import { formatExecOutput } from "./format-exec-output.ts";
import { shellTool } from "./shell-tool.ts";

const base: ExecResult = {
  exitCode: 0,
  timedOut: false,
  cancelled: false,
  output: "",
  truncated: false,
  totalBytes: 0,
  durationMs: 1500,
};

describe("formatExecOutput", () => {
  it("states the exit code and wall time", () => {
    expect(formatExecOutput({ ...base, exitCode: 2, output: "bad\n", totalBytes: 4 }, { timeoutMs: 1000 })).toBe(
      "Exit code: 2\nWall time: 1.5s\nOutput:\nbad",
    );
  });
  it("says (no output) when empty", () => {
    expect(formatExecOutput(base, { timeoutMs: 1000 })).toContain("Output:\n(no output)");
  });
  it("keeps the head and tail of long output with the total size", () => {
    const out = `${"h".repeat(100)}${"m".repeat(1000)}${"t".repeat(100)}`;
    const text = formatExecOutput({ ...base, output: out, totalBytes: 1200 }, { timeoutMs: 1000, limit: 200 });
    expect(text).toContain(
      `Output:\n${"h".repeat(100)}\n[... output truncated: 1200 bytes in total, 200 characters shown (head and tail) ...]\n${"t".repeat(100)}`,
    );
    expect(text).not.toContain("hm");
  });
  it("notes output already truncated by the sandbox", () => {
    expect(
      formatExecOutput(
        { ...base, output: "a\n[...]\nb", truncated: true, totalBytes: 10_000_000 },
        { timeoutMs: 1000 },
      ),
    ).toContain("10000000 bytes in total");
  });
  it("names the limit that killed a command", () => {
    expect(
      formatExecOutput({ ...base, exitCode: 137, limit: "killed: memory limit 512 MB" }, { timeoutMs: 1000 }),
    ).toMatch(/^Exit code: 137 \(killed: memory limit 512 MB\)\n/);
  });

  it("notes a timeout and a cancellation", () => {
    expect(formatExecOutput({ ...base, exitCode: null, timedOut: true }, { timeoutMs: 120_000 })).toMatch(
      /^Command timed out after 120.0s and was killed/,
    );
    expect(formatExecOutput({ ...base, exitCode: null, cancelled: true }, { timeoutMs: 1000 })).toMatch(
      /^Command cancelled/,
    );
  });
});

describe("shell tool", () => {
  let sandbox: LocalSandbox | null = null;
  afterEach(async () => {
    await sandbox?.dispose();
    sandbox = null;
  });
  async function run(input: unknown) {
    sandbox = sandbox ?? (await LocalSandbox.create({ "sub/f.txt": "in sub\n" }));
    const events: EventBody[] = [];
    const r = await shellTool.run(input, {
      sandbox,
      callId: "c1",
      signal: new AbortController().signal,
      emit: async (e) => void events.push(e),
    });
    return { r, events };
  }

  it("runs a command, streams its output and reports the exit code", async () => {
    const { r, events } = await run({ command: "echo out; echo err >&2; exit 3" });
    expect(r).toMatchObject({ isError: true, exitCode: 3, changedFiles: true });
    expect(r.output).toMatch(/^Exit code: 3\n/);
    expect(r.output).toContain("out");
    expect(events.map((e) => e.type === "command_output" && e.stream).sort()).toEqual(["stderr", "stdout"]);
    expect(events.every((e) => e.type === "command_output" && e.callId === "c1")).toBe(true);
  });

  it("runs in a workdir and accepts argv arrays", async () => {
    expect((await run({ command: "cat f.txt", workdir: "sub" })).r.output).toContain("in sub");
    expect((await run({ command: ["bash", "-lc", "cat sub/f.txt"] })).r.output).toContain("in sub");
    expect((await run({ command: ["cat", "sub/f.txt"] })).r.output).toContain("in sub");
  });

  it("times out", async () => {
    const { r } = await run({ command: "sleep 10", timeout_ms: 200 });
    expect(r.exitCode).toBeNull();
    expect(r.output).toContain("timed out");
  });

  it("caps every timeout at the sandbox's limit per command, whatever the model asks for", async () => {
    sandbox = await LocalSandbox.create({}, { commandTimeoutMs: 200 });
    for (const input of [
      { command: "sleep 10; echo late" },
      { command: "sleep 10; echo late", timeout_ms: 3_600_000 },
    ]) {
      const { r } = await run(input);
      expect(r.exitCode).toBeNull();
      expect(r.output).toContain("timed out after 200ms");
      expect(r.output).toContain("the environment's limit");
      expect(r.output).not.toContain("late");
    }
  });

  it("refuses a workdir outside the workspace and bad input", async () => {
    expect((await run({ command: "ls", workdir: "../.." })).r.output).toContain("leaves the workspace");
    expect((await run({ cmd: "ls" })).r.output).toContain("Invalid input for shell: command");
  });
});
