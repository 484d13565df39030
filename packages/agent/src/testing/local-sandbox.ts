import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, realpath, rm, lstat, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { AgentSandbox, ExecOptions, ExecResult, FileStatInfo } from "../agent-sandbox.ts";

const OUTPUT_CAP = 256 * 1024;

export interface LocalSandboxOptions {
  readOnly?: boolean;
  /** The limit per command the sandbox states (the shell tool caps every timeout at it). */
  commandTimeoutMs?: number;
}

/**
 * AgentSandbox over a plain directory, commands run with `bash -c`. NO isolation: tests only.
 */
export class LocalSandbox implements AgentSandbox {
  readonly root: string;
  readonly readOnly: boolean;
  readonly commandTimeoutMs?: number;

  constructor(root: string, opts: LocalSandboxOptions = {}) {
    this.root = resolve(root);
    this.readOnly = opts.readOnly ?? false;
    if (opts.commandTimeoutMs !== undefined) this.commandTimeoutMs = opts.commandTimeoutMs;
  }

  /** A sandbox over a fresh temp directory, optionally seeded with files. */
  static async create(files: Record<string, string> = {}, opts: LocalSandboxOptions = {}): Promise<LocalSandbox> {
    const root = await realpath(await mkdtemp(join(tmpdir(), "cadre-agent-test-")));
    for (const [p, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, p)), { recursive: true });
      await writeFile(join(root, p), content);
    }
    return new LocalSandbox(root, opts);
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const started = Date.now();
    return new Promise((resolvePromise, reject) => {
      let cwd: string;
      try {
        cwd = this.resolvePath(opts.cwd ?? ".");
      } catch (err) {
        reject(err);
        return;
      }
      const child = spawn("bash", ["-c", command], { cwd, detached: true, stdio: ["ignore", "pipe", "pipe"] });
      let head = "";
      let tail = "";
      let total = 0;
      let timedOut = false;
      let cancelled = false;
      const kill = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      };
      const onData = (stream: "stdout" | "stderr") => (buf: Buffer) => {
        const chunk = buf.toString("utf8");
        total += buf.length;
        if (head.length < OUTPUT_CAP / 2) head += chunk;
        else tail = (tail + chunk).slice(-OUTPUT_CAP / 2);
        opts.onOutput?.(stream, chunk);
      };
      child.stdout.on("data", onData("stdout"));
      child.stderr.on("data", onData("stderr"));
      const timer = opts.timeoutMs !== undefined ? setTimeout(() => ((timedOut = true), kill()), opts.timeoutMs) : null;
      const onAbort = (): void => {
        cancelled = true;
        kill();
      };
      if (opts.signal?.aborted) onAbort();
      else opts.signal?.addEventListener("abort", onAbort, { once: true });
      child.on("error", reject);
      child.on("close", (code) => {
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        const truncated = total > OUTPUT_CAP;
        const output = truncated
          ? `${head.slice(0, OUTPUT_CAP / 2)}\n[... output truncated ...]\n${tail}`
          : head + tail;
        resolvePromise({
          exitCode: timedOut || cancelled ? null : code,
          timedOut,
          cancelled,
          output,
          truncated,
          totalBytes: total,
          durationMs: Date.now() - started,
        });
      });
    });
  }

  async readFile(path: string): Promise<Buffer | null> {
    const abs = this.resolvePath(path);
    try {
      const real = await realpath(abs);
      this.assertInside(real, path);
      return await readFile(real);
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  async writeFile(path: string, data: Buffer | string, opts: { executable?: boolean } = {}): Promise<void> {
    this.assertWritable(path);
    const abs = this.resolvePath(path);
    await mkdir(dirname(abs), { recursive: true });
    await writeFile(abs, data);
    if (opts.executable !== undefined) await chmod(abs, opts.executable ? 0o755 : 0o644);
  }

  async deleteFile(path: string): Promise<void> {
    this.assertWritable(path);
    await rm(this.resolvePath(path), { force: true });
  }

  async stat(path: string): Promise<FileStatInfo | null> {
    try {
      const st = await lstat(this.resolvePath(path));
      const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
      return { type, size: st.size, executable: (st.mode & 0o111) !== 0 && st.isFile() };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  private resolvePath(path: string): string {
    const abs = resolve(this.root, path);
    this.assertInside(abs, path);
    return abs;
  }

  private assertInside(abs: string, original: string): void {
    const rel = relative(this.root, abs);
    if (rel === ".." || rel.startsWith(`..${sep}`) || resolve(this.root, rel) !== abs) {
      throw new Error(`path leaves the workspace: ${original}`);
    }
  }

  private assertWritable(path: string): void {
    if (this.readOnly) throw new Error(`the workspace is read-only; cannot write ${path}`);
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === "object" && err !== null && "code" in err && (err.code === "ENOENT" || err.code === "ENOTDIR");
}
