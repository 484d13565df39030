import { closeSync, constants, openSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import type { Limits } from "@cadre/protocol";
import type { SandboxedProcess } from "./run-sandboxed.ts";
import { SandboxError } from "./types.ts";

/** Commands of one workspace that may run at once through the helper; more go the spawn way. */
export const HELPER_SLOTS = 8;

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
    const id = String(this.nextId++);
    const slot = this.closed ? undefined : this.free.shift();
    if (slot === undefined) return null;
    const argsFile = join(this.dir, `args-${slot}`);
    let fields: Buffer;
    try {
      fields = encodeFields([
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
    return new HelperProcess({
      fds,
      register: (pending) => this.pending.set(id, pending),
      release: () => {
        this.pending.delete(id);
        this.free.push(slot);
      },
      send: () => this.requests.write(fields),
    });
  }
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

  constructor(o: HelperProcessOptions) {
    this.fds = o.fds;
    this.release = o.release;
    o.register({ started: (pgid) => this.started(pgid), exited: (code) => this.exited(code) });
    o.send();
  }

  /** Output streams arrive once the command's job holds the FIFOs' write ends (reading earlier would see EOF). */
  streams(handler: (stdout: Readable, stderr: Readable) => void): void {
    this.onStreams = handler;
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
