import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { OutputCollector } from "./output-collector.ts";
import { StreamRedactor } from "@cadre/secrets";
import { LAUNCH_ENV } from "./launcher.ts";
import type { SandboxExecResult } from "./types.ts";

/** A launched command as runSandboxed drives it: spawned here, or forked by the workspace's helper. */
export interface SandboxedProcess {
  /** Called once with the command's stdout and stderr. */
  streams(handler: (stdout: Readable, stderr: Readable) => void): void;
  /** Called once when the command is over and its output read to the end; null code: killed. */
  closed(handler: (code: number | null, error?: string) => void): void;
  /** Kills the command's process group: bubblewrap, and with it everything in the sandbox. */
  kill(): void;
}

/** What runs: a launch already under way, or the launcher's argv to spawn with its input pipes. */
export type SandboxedLaunch =
  | { process: SandboxedProcess }
  | {
      /** Program and arguments: the launcher, which becomes the namespace entry, bubblewrap and the command. */
      argv: string[];
      /** Data the command reads from fds 3, 4, … (bubblewrap's --args and --seccomp), one pipe each. */
      inputs?: Buffer[];
    };

export type SandboxedRun = SandboxedLaunch & {
  /** When the launch began (performance.now()), for durationMs; default: now. */
  startedAt?: number;
  timeoutMs: number;
  signal?: AbortSignal;
  outputLimitBytes: number;
  redact: string[];
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  /** Polled while the command runs; a returned message kills the command. */
  watchdog?: { intervalMs: number; check: () => Promise<string | null> };
};

export type SandboxedResult = SandboxExecResult;

/**
 * Runs one sandboxed command. The launch leads its own process group; killing the group kills
 * bubblewrap, whose pid-namespace init dies with it (--die-with-parent), and the kernel then kills
 * every process left in that namespace: nothing survives a timeout.
 */
export function runSandboxed(run: SandboxedRun): Promise<SandboxedResult> {
  const started = run.startedAt ?? performance.now();
  return new Promise((resolve) => {
    const child = "process" in run ? run.process : spawnLauncher(run.argv, run.inputs ?? []);
    const collector = new OutputCollector(run.outputLimitBytes);
    let timedOut = false;
    let cancelled = false;
    let killedBy: string | undefined;
    const kill = (): void => child.kill();
    const attach = (stream: "stdout" | "stderr", source: Readable): void => {
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
    child.streams((stdout, stderr) => {
      attach("stdout", stdout);
      attach("stderr", stderr);
    });
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
    child.closed((code, error) => {
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
    });
  });
}

/**
 * Spawns the launcher, leader of its own process group. Its stdio and input pipes; the launcher's
 * whole environment is LAUNCH_ENV and its cwd `/` (the sandbox's pid 1 would inherit either).
 */
function spawnLauncher(argv: string[], inputs: Buffer[]): SandboxedProcess {
  const [program, ...args] = argv;
  const child = spawn(program as string, args, {
    stdio: ["ignore", "pipe", "pipe", ...inputs.map(() => "pipe" as const)],
    detached: true,
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
  return {
    streams: (handler) => handler(child.stdout as Readable, child.stderr as Readable),
    closed: (handler) => {
      let done = false;
      child.on("error", (error) => {
        if (!done) handler(null, `could not start the sandbox: ${error.message}`);
        done = true;
      });
      child.on("close", (code) => {
        if (!done) handler(code);
        done = true;
      });
    },
    kill: () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        // already exited
      }
    },
  };
}
