import { spawn } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { OutputCollector } from "./output-collector.ts";
import { StreamRedactor } from "@cadre/secrets";
import { LAUNCH_ENV } from "./launcher.ts";
import type { SandboxExecResult } from "./types.ts";

export interface SandboxedRun {
  /** Program and arguments: the launcher, which becomes the namespace entry, bubblewrap and the command. */
  argv: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  outputLimitBytes: number;
  redact: string[];
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  /** Polled while the command runs; a returned message kills the command. */
  watchdog?: { intervalMs: number; check: () => Promise<string | null> };
  /** Data the command reads from fds 3, 4, … (bubblewrap's --args and --seccomp), one pipe each. */
  inputs?: Buffer[];
}

export type SandboxedResult = SandboxExecResult;

/**
 * Runs one sandboxed command. The spawned process leads its own process group; killing the
 * group kills bubblewrap, whose pid-namespace init dies with it (--die-with-parent), and the
 * kernel then kills every process left in that namespace: nothing survives a timeout.
 */
export function runSandboxed(run: SandboxedRun): Promise<SandboxedResult> {
  const started = performance.now();
  const [program, ...args] = run.argv;
  return new Promise((resolve) => {
    const inputs = run.inputs ?? [];
    const child = spawn(program as string, args, {
      stdio: ["ignore", "pipe", "pipe", ...inputs.map(() => "pipe" as const)],
      detached: true,
      // Like the environment, the working directory is inherited by the sandbox's pid 1 (PWD).
      cwd: "/",
      env: LAUNCH_ENV,
    });
    inputs.forEach((data, index) => {
      const pipe = child.stdio[3 + index];
      if (pipe && "end" in pipe) {
        // A launcher that failed before reading its input closes the pipe; its exit is reported instead.
        pipe.on("error", () => undefined);
        pipe.end(data);
      }
    });
    const collector = new OutputCollector(run.outputLimitBytes);
    let timedOut = false;
    let cancelled = false;
    let killedBy: string | undefined;
    const kill = (): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already exited
      }
    };
    const attach = (stream: "stdout" | "stderr", source: NodeJS.ReadableStream | null): void => {
      if (!source) return;
      const decoder = new StringDecoder("utf8");
      const redactor = new StreamRedactor(run.redact);
      const emit = (text: string): void => {
        if (text === "") return;
        collector.push(text);
        run.onOutput?.(stream, text);
      };
      source.on("data", (b: Buffer) => emit(redactor.push(decoder.write(b))));
      source.on("end", () => emit(redactor.push(decoder.end()) + redactor.flush()));
    };
    attach("stdout", child.stdout);
    attach("stderr", child.stderr);
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, run.timeoutMs);
    const onAbort = (): void => {
      cancelled = true;
      kill();
    };
    if (run.signal?.aborted) onAbort();
    run.signal?.addEventListener("abort", onAbort, { once: true });
    let watching = false;
    const watch = run.watchdog
      ? setInterval(() => {
          if (watching || !run.watchdog) return;
          watching = true;
          run.watchdog
            .check()
            .then((reason) => {
              if (reason !== null && killedBy === undefined) {
                killedBy = reason;
                kill();
              }
            })
            .catch(() => undefined)
            .finally(() => (watching = false));
        }, run.watchdog.intervalMs)
      : null;
    const finish = (code: number | null, error?: string): void => {
      clearTimeout(timer);
      if (watch) clearInterval(watch);
      run.signal?.removeEventListener("abort", onAbort);
      if (error) collector.push(`\n[cadre: ${error}]\n`);
      if (killedBy) collector.push(`\n[cadre: ${killedBy}]\n`);
      if (timedOut) collector.push(`\n[cadre: command timed out after ${run.timeoutMs} ms and was killed]\n`);
      const killed = timedOut || cancelled || killedBy !== undefined;
      resolve({
        exitCode: killed ? null : code,
        timedOut,
        cancelled,
        output: collector.result(),
        truncated: collector.truncated,
        totalBytes: collector.totalBytes,
        durationMs: Math.round(performance.now() - started),
        ...(killedBy ? { limit: killedBy } : {}),
      });
    };
    child.on("error", (e) => finish(null, `could not start the sandbox: ${e.message}`));
    child.on("close", (code) => finish(code));
  });
}
