import { closeSync, constants, openSync, writeSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import type { Limits } from "@cadre/protocol";
import type { SandboxedProcess } from "./run-sandboxed.ts";
import { CommandCgroups } from "./cgroup-limits.ts";
import { SPARE_STUB } from "./command-helper-script.ts";
import { SandboxError } from "./types.ts";

/** Commands of one workspace that may run at once through the helper; more go the spawn way. */
export const HELPER_SLOTS = 8;

/** A launch without its command: what a warm spare is built from and matched against. */
export interface SpareLaunch {
  limits: Limits;
  args: Buffer;
  inputFiles: string[];
  /** bubblewrap up to its `--`. */
  prefix: string[];
  /** The sandbox's shell; a spare is built only where it is bash (the stub is a bash script). */
  shell: string;
}

/** A spare taken for a command: it runs the command already; its cgroups are the caller's to read and dispose. */
export interface TakenSpare {
  process: SandboxedProcess;
  cgroups: CommandCgroups;
}

interface Spare {
  key: string;
  slot: number;
  process: HelperProcess;
  cgroups: CommandCgroups;
}

/** A command text the stub reads in one non-blocking write into an empty FIFO (its buffer is 64 KiB). */
const SPARE_COMMAND_MAX = 65536;

export interface HelperLaunch {
  limits: Limits;
  cgroupProcs: string[];
  /** bubblewrap's options (its `--args 3`); the other inputs are files already on disk. */
  args: Buffer;
  /** Files opened at descriptors 4, 5, … (the seccomp program, passwd, group). */
  inputFiles: string[];
  argv: string[];
}

interface Pending {
  started: (pgid: number) => void;
  exited: (code: number) => void;
}

interface HelperProcessOptions {
  fds: number[];
  register: (pending: Pending) => void;
  /** Frees the slot and forgets the command (a killed job never says `exit`). */
  release: () => void;
  send: () => void;
}

/**
 * Node's side of the holder's command loop (command-helper-script.ts). Launching through it costs
 * a write to a pipe: no fork of this (large) process blocking the event loop, no launcher bash or
 * nsenter exec. Each running command holds a slot: two FIFOs (stdout, stderr) in the workspace's
 * private `io` directory and the file its bubblewrap options are written to.
 */
export class CommandHelper {
  private readonly free: number[] = Array.from({ length: HELPER_SLOTS }, (_, slot) => slot);
  private readonly pending = new Map<string, Pending>();
  private nextId = 0;
  private closed = false;
  private lines = "";
  /** The warm spare: a sandbox built for the next command with the last one's launch (see takeSpare). */
  private spare: Spare | null = null;
  /** How many commands ran in a spare (tests and benchmarks see the path taken). */
  sparesTaken = 0;
  /** The launch the last spare was asked for. */
  private lastKey: string | null = null;
  /** The spare being built, awaited by the next command rather than launching beside it. */
  private preparing: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    private readonly requests: Writable,
    status: Readable,
  ) {
    status.on("data", (chunk: Buffer) => this.onStatus(chunk.toString("utf8")));
    // A holder that died closes the pipe; close() reports its commands as ended.
    requests.on("error", () => undefined);
  }

  /** Called when the holder exits: every command it was running is reported as ended. */
  close(): void {
    this.closed = true;
    for (const pending of this.pending.values()) pending.exited(-1);
    this.pending.clear();
    void this.dropSpare();
  }

  /**
   * Kills the spare (its process group) and removes its cgroups. Called where the spare must not
   * outlive what it was built for: a mismatch, a restore, the holder's end.
   */
  async dropSpare(): Promise<void> {
    const spare = this.spare;
    this.spare = null;
    if (spare) await discard(spare);
  }

  /**
   * Builds the spare for the next command of this launch, replacing any other. Every command
   * still gets a bubblewrap of its own that ran nothing before; it is only built before its
   * command arrives.
   */
  prepareSpare(launch: SpareLaunch): Promise<void> {
    // Built only for a launch that repeats (an agent's commands): for launches that keep changing
    // each spare would be killed unused, its build and teardown slowing the command that came instead.
    const key = spareKey(launch);
    const repeated = key === this.lastKey;
    this.lastKey = key;
    if (!repeated) return this.dropSpare();
    const preparing = (this.preparing ?? Promise.resolve())
      .then(() => this.buildSpare(launch))
      .finally(() => {
        if (this.preparing === preparing) this.preparing = null;
      });
    this.preparing = preparing;
    return preparing;
  }

  private async buildSpare(launch: SpareLaunch): Promise<void> {
    // Killed aside: a command waiting for this spare need not wait for the last one's teardown.
    void this.dropSpare();
    if (this.closed || basename(launch.shell) !== "bash") return;
    const cgroups = CommandCgroups.create(launch.limits);
    const started = await this.begin("spare", {
      limits: launch.limits,
      cgroupProcs: cgroups.procsFiles,
      args: launch.args,
      inputFiles: launch.inputFiles,
      argv: [...launch.prefix, launch.shell, "-c", SPARE_STUB, "cadre-spare", launch.shell],
    }).catch(() => null);
    if (!started) {
      await cgroups.dispose();
      return;
    }
    const spare = { key: spareKey(launch), slot: started.slot, process: started.process, cgroups };
    // Another spare prepared meanwhile, or the holder ended: this one is not wanted.
    if (this.spare || this.closed) void discard(spare);
    else this.spare = spare;
  }

  /**
   * Hands `command` to the spare when it was built for this launch; null otherwise (a mismatched
   * or dead spare is discarded, and the caller launches the normal way). Used once: taken, it is gone.
   */
  async takeSpare(launch: SpareLaunch, command: string): Promise<TakenSpare | null> {
    await this.preparing;
    const spare = this.spare;
    // A spare of another launch stays until this command ends (see prepareSpare): killed now, its
    // teardown would slow this command's own start.
    if (!spare || spare.key !== spareKey(launch)) return null;
    this.spare = null;
    const text = Buffer.from(`${command}\0`);
    const fits = !command.includes("\0") && text.length <= SPARE_COMMAND_MAX;
    // The holder's status pipe is unref'd: this wait must keep the process alive until the job reports.
    const alive = setInterval(() => undefined, 60_000);
    const started = await spare.process.whenStarted.finally(() => clearInterval(alive));
    if (!fits || !started) {
      void discard(spare);
      return null;
    }
    let written = -1;
    try {
      // Non-blocking: when the spare is gone nothing reads the FIFO and the open fails (ENXIO).
      const fd = openSync(join(this.dir, `in-${spare.slot}`), constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        written = writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
    } catch {
      written = -1;
    }
    if (written !== text.length) {
      void discard(spare);
      return null;
    }
    this.sparesTaken += 1;
    return { process: spare.process, cgroups: spare.cgroups };
  }

  private onStatus(text: string): void {
    this.lines += text;
    let end: number;
    while ((end = this.lines.indexOf("\n")) >= 0) {
      const [kind, id, value] = this.lines.slice(0, end).split(" ");
      this.lines = this.lines.slice(end + 1);
      const pending = this.pending.get(id ?? "");
      if (!pending) continue;
      if (kind === "start") pending.started(Number(value));
      if (kind === "exit") {
        this.pending.delete(id ?? "");
        pending.exited(Number(value));
      }
    }
  }

  /** Starts one launch; null when every slot is busy or the holder is gone (the caller spawns instead). */
  async launch(request: HelperLaunch): Promise<SandboxedProcess | null> {
    return (await this.begin("run", request))?.process ?? null;
  }

  private async begin(
    kind: "run" | "spare",
    request: HelperLaunch,
  ): Promise<{ process: HelperProcess; slot: number } | null> {
    const id = String(this.nextId++);
    const slot = this.closed ? undefined : this.free.shift();
    if (slot === undefined) return null;
    const argsFile = join(this.dir, `args-${slot}`);
    let fields: Buffer;
    try {
      fields = encodeFields([
        kind,
        id,
        String(slot),
        ...counted(request.cgroupProcs),
        String(request.limits.maxProcesses),
        String(request.limits.memoryMb * 1024),
        String(request.limits.diskMb * 1024),
        ...counted([argsFile, ...request.inputFiles]),
        ...counted(request.argv),
      ]);
      await writeFile(argsFile, request.args, { mode: 0o600 });
    } catch (error) {
      this.free.push(slot);
      throw error;
    }
    if (this.closed) {
      this.free.push(slot);
      return null;
    }
    // Opened before the request goes out, without waiting for a writer; read only once the job holds the write ends.
    const fds = ["out", "err"].map((stream) =>
      openSync(join(this.dir, `${stream}-${slot}`), constants.O_RDONLY | constants.O_NONBLOCK),
    );
    const process = new HelperProcess({
      fds,
      register: (pending) => this.pending.set(id, pending),
      release: () => {
        this.pending.delete(id);
        this.free.push(slot);
      },
      send: () => this.requests.write(fields),
    });
    return { process, slot };
  }
}

/** What a spare must share with a launch to run its command: everything but the command text. */
function spareKey(launch: SpareLaunch): string {
  const { limits, inputFiles, prefix, shell } = launch;
  return `${JSON.stringify({ limits, inputFiles, prefix, shell })}\n${launch.args.toString("base64")}`;
}

/** Kills a spare and removes its cgroups once its job is over. */
function discard(spare: Spare): Promise<void> {
  return new Promise((resolve) => spare.process.discard(() => void spare.cgroups.dispose().then(resolve)));
}

const counted = (words: string[]): string[] => [String(words.length), ...words];

/**
 * NUL-terminated, as the helper reads them. A NUL inside a field (a command holding one) would end
 * it early and let the rest be read as a request of its own, run in the holder outside bubblewrap:
 * refused, as spawning such an argument always was.
 */
function encodeFields(fields: string[]): Buffer {
  if (fields.some((field) => field.includes("\0")))
    throw new SandboxError("sandbox_error", "the command holds a NUL byte, which no shell command can; remove it");
  return Buffer.from(fields.map((field) => `${field}\0`).join(""));
}

/** One command launched by the helper, as runSandboxed sees it. */
class HelperProcess implements SandboxedProcess {
  private pgid: number | null = null;
  private killRequested = false;
  private exitCode: number | null = null;
  private openStreams = 2;
  private onClose: ((code: number | null) => void) | null = null;
  private readonly fds: number[];
  private readonly release: () => void;
  private onStreams: ((stdout: Readable, stderr: Readable) => void) | null = null;
  private opened: [Readable, Readable] | null = null;
  private reportStart: (started: boolean) => void = () => undefined;
  /** True once the job holds its FIFOs, false when it ended first. */
  readonly whenStarted = new Promise<boolean>((resolve) => (this.reportStart = resolve));

  constructor(o: HelperProcessOptions) {
    this.fds = o.fds;
    this.release = o.release;
    o.register({ started: (pgid) => this.started(pgid), exited: (code) => this.exited(code) });
    o.send();
  }

  /**
   * Output streams arrive once the command's job holds the FIFOs' write ends (reading earlier would
   * see EOF); at once for a spare's, whose job opened them before its command came.
   */
  streams(handler: (stdout: Readable, stderr: Readable) => void): void {
    if (this.opened) handler(...this.opened);
    else this.onStreams = handler;
  }

  /** Kills a spare nobody will use; `after` runs once its job is over and its slot free. */
  discard(after: () => void): void {
    this.onClose = after;
    this.kill();
    this.settle();
  }

  closed(handler: (code: number | null) => void): void {
    this.onClose = handler;
  }

  kill(): void {
    this.killRequested = true;
    if (this.pgid === null) return;
    try {
      process.kill(-this.pgid, "SIGKILL");
    } catch {
      // already exited
    }
  }

  private started(pgid: number): void {
    this.pgid = pgid;
    const [out, err] = this.fds.map((fd) => new Socket({ fd, readable: true, writable: false }));
    if (!out || !err) return;
    this.opened = [out, err];
    this.reportStart(true);
    for (const stream of [out, err]) {
      // A read error ends the stream like EOF; the command's exit is still reported.
      stream.on("error", () => undefined);
      stream.on("close", () => this.streamClosed());
    }
    this.onStreams?.(out, err);
    if (this.killRequested) this.kill();
  }

  private exited(code: number): void {
    this.exitCode = code;
    this.reportStart(false);
    // The holder died before the job opened its FIFOs: nothing will ever write to them.
    if (code === -1 && this.pgid === null) {
      for (const fd of this.fds) closeSync(fd);
      this.openStreams = 0;
    }
    this.settle();
  }

  private streamClosed(): void {
    this.openStreams -= 1;
    this.settle();
  }

  private settle(): void {
    if (this.openStreams > 0 || (this.exitCode === null && !this.killRequested)) return;
    const done = this.onClose;
    this.onClose = null;
    if (!done) return;
    this.release();
    done(this.exitCode === null || this.exitCode < 0 ? null : this.exitCode);
  }
}
