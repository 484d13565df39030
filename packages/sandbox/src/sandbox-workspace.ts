import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { scanChanges } from "./changes.ts";
import { diskUsage } from "./disk-usage.ts";
import { GROUP_TEXT, PASSWD_TEXT } from "./bwrap-args.ts";
import { launch, type HelperFiles } from "./launch.ts";
import { enterPrefix, NamespaceHolder } from "./overlay.ts";
import { PhaseNetwork } from "./phase-network.ts";
import type { SandboxImage } from "./environment-image.ts";
import { imageRootDirs, mountImageRoot } from "./image-root.ts";
import { removeTree } from "./remove-tree.ts";
import { restoreCheckpoint } from "./restore-checkpoint.ts";
import { sandboxEnv } from "./sandbox-env.ts";
import { planPhaseNetwork, type SandboxRuntime } from "./sandbox-runtime.ts";
import { stripSetIdBits } from "./strip-set-id.ts";
import { resolveWorkspacePath, splitWorkspacePath } from "./workspace-path.ts";
import {
  SandboxError,
  type ProvisionRequest,
  type SandboxExecOptions,
  type SandboxExecResult,
  type Workspace,
  type WorkspaceChanges,
  type WorkspaceFileStat,
} from "./types.ts";

/** What an attempt directory records about itself (meta.json), enough to re-attach later. */
export interface AttemptMeta {
  attemptId: string;
  kind: "overlay" | "worktree";
  baseCommit: string;
  /** Base checkout directory. */
  base: string;
  /** Setup layer: overlay upper dir, or the full tree for worktrees; null without a setup script. */
  setup: string | null;
  /** The environment's image (its root is every command's system), pinned by the setup layer; absent: the host's. */
  image?: SandboxImage | null;
  createdAt: number;
}

export interface WorkspaceContext {
  dir: string;
  meta: AttemptMeta;
  req: ProvisionRequest;
  runtime: SandboxRuntime;
  onClose: (attemptId: string) => void;
}

/**
 * One attempt's workspace. Overlay kind: upper/work/merged under the attempt dir, mounted in
 * the namespace of a holder process that commands enter and through whose /proc root the host
 * reads and writes files. Worktree kind: a plain directory tree (its holder mounts nothing). Either
 * way the holder owns the attempt's network namespace, shared by commands that have network.
 */
export class SandboxWorkspace implements Workspace {
  readonly attemptId: string;
  readonly readOnly: boolean;
  readonly kind: "overlay" | "worktree";
  readonly image: { reference: string; digest: string } | null;
  private holder: NamespaceHolder | null = null;
  private holderStarting: Promise<NamespaceHolder> | null = null;
  private network: Promise<PhaseNetwork> | null = null;
  private readonly running = new Set<AbortController>();
  private destroyed = false;
  /** Bumped when anything that may change the workspace's files (a command, a write, a restore) starts and ends. */
  private generation = 0;
  /** How many of those are under way. */
  private changing = 0;
  /** The last scan, reused while nothing could have changed since (checkpoints follow one another without commands between). */
  private scanned: { generation: number; result: WorkspaceChanges } | null = null;

  constructor(private readonly ctx: WorkspaceContext) {
    this.attemptId = ctx.meta.attemptId;
    this.readOnly = ctx.req.readOnly;
    this.kind = ctx.meta.kind;
    const image = ctx.meta.image;
    this.image = image ? { reference: image.reference, digest: image.digest } : null;
  }

  get commandTimeoutMs(): number {
    return this.ctx.req.environment.limits.commandTimeoutMs;
  }

  private get upper(): string {
    return this.kind === "overlay" ? join(this.ctx.dir, "upper") : join(this.ctx.dir, "tree");
  }

  private get merged(): string {
    return this.kind === "overlay" ? join(this.ctx.dir, "merged") : join(this.ctx.dir, "tree");
  }

  /** How many of this holder's commands ran in a warm spare (command-helper.ts); for tests and benchmarks. */
  get sparesTaken(): number {
    return this.holder?.commands?.sparesTaken ?? 0;
  }

  /** Mounts the overlay (starts the holder) if it is not mounted. */
  async ready(): Promise<void> {
    await this.hostRoot();
  }

  private async ensureHolder(): Promise<NamespaceHolder> {
    if (this.destroyed) throw new SandboxError("sandbox_error", `workspace of attempt ${this.attemptId} was destroyed`);
    if (this.holder) return this.holder;
    this.holderStarting ??= this.prepareHelperFiles()
      .then(() =>
        NamespaceHolder.start(
          this.kind === "overlay"
            ? {
                lowers: this.ctx.meta.setup ? [this.ctx.meta.setup, this.ctx.meta.base] : [this.ctx.meta.base],
                upper: join(this.ctx.dir, "upper"),
                work: join(this.ctx.dir, "work"),
                merged: this.merged,
              }
            : null,
          { dir: this.ioDir },
        ),
      )
      .then(async (h) => {
        const image = this.ctx.meta.image;
        if (image)
          await mountImageRoot(h.pid, imageRootDirs(this.ctx.dir, image.layers)).catch(async (error: unknown) => {
            await h.stop();
            throw error;
          });
        return (this.holder = h);
      })
      .finally(() => (this.holderStarting = null));
    return this.holderStarting;
  }

  /** The command helper's FIFOs and input files (command-helper.ts); private like the whole attempt dir. */
  private get ioDir(): string {
    return join(this.ctx.dir, "io");
  }

  private get helperFiles(): HelperFiles {
    return {
      seccomp: this.ctx.runtime.seccomp ? join(this.ioDir, "seccomp") : null,
      passwd: join(this.ioDir, "passwd"),
      group: join(this.ioDir, "group"),
    };
  }

  /** A fresh io directory for a new holder (the last one's FIFOs went with it), with the constant inputs. */
  private async prepareHelperFiles(): Promise<void> {
    await rm(this.ioDir, { recursive: true, force: true });
    await mkdir(this.ioDir, { mode: 0o700 });
    const files = this.helperFiles;
    if (files.seccomp && this.ctx.runtime.seccomp)
      await writeFile(files.seccomp, this.ctx.runtime.seccomp, { mode: 0o600 });
    await writeFile(files.passwd, PASSWD_TEXT, { mode: 0o600 });
    await writeFile(files.group, GROUP_TEXT, { mode: 0o600 });
  }

  /** The merged tree as the host can reach it. */
  private async hostRoot(): Promise<string> {
    if (this.kind === "worktree") return this.merged;
    return (await this.ensureHolder()).view(this.merged);
  }

  /** The agent phase's proxy and forwarder, started with the first command that needs them. */
  private ensureNetwork(holderPid: number): Promise<PhaseNetwork> {
    this.network ??= PhaseNetwork.start({
      holderPid,
      policy: this.ctx.req.environment.networkPolicy,
      resolveHost: this.ctx.runtime.resolveHost,
      onBlocked: (info) => this.ctx.req.onNetworkBlocked?.(info),
    }).catch((error: unknown) => {
      this.network = null;
      throw error;
    });
    return this.network;
  }

  async exec(command: string, opts: SandboxExecOptions = {}): Promise<SandboxExecResult> {
    const cwd = splitWorkspacePath(opts.cwd ?? "").join("/");
    const env = this.ctx.req.environment;
    const limits = env.limits;
    const policy = env.networkPolicy;
    const holder = await this.ensureHolder();
    const plan = planPhaseNetwork(this.ctx.runtime, holder.pid, policy);
    if (plan.proxy) await this.ensureNetwork(holder.pid);
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    if (opts.signal?.aborted) controller.abort();
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    this.running.add(controller);
    this.beginChange();
    const diskLimit = limits.diskMb * 1024 * 1024;
    try {
      const result = await launch({
        entry: plan.entry,
        workspace: this.merged,
        readOnly: this.readOnly,
        network: plan.network,
        seccomp: this.ctx.runtime.seccomp,
        cwd,
        env: sandboxEnv({ variables: env.variables, extra: opts.env, proxy: plan.proxy }),
        limits,
        // The environment's limit is a ceiling, not a default a caller may raise.
        timeoutMs: Math.min(opts.timeoutMs ?? limits.commandTimeoutMs, limits.commandTimeoutMs),
        signal: controller.signal,
        redact: Object.values(env.secrets),
        onOutput: opts.onOutput,
        ...this.systemRoot(),
        // Started from the holder's network namespace, which is not the host's (see planPhaseNetwork).
        ...(holder.commands && (plan.network === "own" || plan.proxy)
          ? { helper: { commands: holder.commands, files: this.helperFiles } }
          : {}),
        watchdog: this.readOnly
          ? undefined
          : {
              intervalMs: 500,
              check: async () =>
                (await diskUsage(this.upper)) > diskLimit
                  ? `killed: disk limit ${limits.diskMb} MB (the workspace outgrew it)`
                  : null,
            },
        command,
      });
      return result;
    } finally {
      opts.signal?.removeEventListener("abort", onAbort);
      this.running.delete(controller);
      this.endChange();
    }
  }

  /** The image's root as the system of this workspace's commands, when the environment has an image. */
  private systemRoot(): { systemRoot?: { merged: string; hostCaCertificates: boolean }; shell?: string } {
    const image = this.ctx.meta.image;
    if (!image) return {};
    const merged = imageRootDirs(this.ctx.dir, image.layers).merged;
    return { systemRoot: { merged, hostCaCertificates: image.hostCaCertificates }, shell: image.shell };
  }

  async readFile(path: string): Promise<Buffer | null> {
    const root = await this.hostRoot();
    const parts = await resolveWorkspacePath(root, path, true);
    try {
      return await readFile(join(root, ...parts));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw e;
    }
  }

  private assertWritable(): void {
    if (this.readOnly)
      throw new SandboxError("sandbox_error", "this workspace is read-only (ask mode); files cannot be changed");
  }

  async writeFile(path: string, data: Buffer | string, opts: { executable?: boolean } = {}): Promise<void> {
    this.assertWritable();
    await this.whileChanging(async () =>
      this.writeResolved(await this.hostRoot(), path, data, opts.executable ?? false),
    );
  }

  private beginChange(): void {
    this.generation += 1;
    this.changing += 1;
  }

  private endChange(): void {
    this.changing -= 1;
    this.generation += 1;
  }

  private async whileChanging<T>(work: () => Promise<T>): Promise<T> {
    this.beginChange();
    try {
      return await work();
    } finally {
      this.endChange();
    }
  }

  private async writeResolved(root: string, path: string, data: Buffer | string, executable: boolean): Promise<void> {
    const parts = await resolveWorkspacePath(root, path, true);
    if (parts.length === 0)
      throw new SandboxError("sandbox_error", "cannot write to the workspace root itself; give a file path");
    const target = join(root, ...parts);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data, { flag: "w" });
    await chmod(target, executable ? 0o755 : 0o644);
  }

  async deleteFile(path: string): Promise<void> {
    this.assertWritable();
    await this.whileChanging(async () => {
      const root = await this.hostRoot();
      const parts = await resolveWorkspacePath(root, path, false);
      if (parts.length === 0) throw new SandboxError("sandbox_error", "refusing to delete the workspace root");
      await rm(join(root, ...parts), { recursive: true, force: true });
    });
  }

  async stat(path: string): Promise<WorkspaceFileStat | null> {
    const root = await this.hostRoot();
    const parts = await resolveWorkspacePath(root, path, false);
    const st = await lstat(join(root, ...parts)).catch(() => null);
    if (!st) return null;
    const type = st.isFile() ? "file" : st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : "other";
    return { type, size: st.size, executable: st.isFile() && (st.mode & 0o111) !== 0 };
  }

  async changes(): Promise<WorkspaceChanges> {
    const generation = this.generation;
    const settled = this.changing === 0;
    if (settled && this.scanned?.generation === generation) return copyChanges(this.scanned.result);
    const root = await this.hostRoot();
    // Checkpoints run between commands: no setuid file the last one made stays on the host disk.
    await stripSetIdBits(this.upper);
    const result = await scanChanges({
      upper: this.upper,
      merged: root,
      setup: this.ctx.meta.setup,
      base: this.ctx.meta.base,
      gitPrefix: this.kind === "overlay" && this.holder ? enterPrefix(this.holder.pid) : [],
      gitWorkTree: this.merged,
    });
    // Kept only when no command ran during the scan and nothing was written since it began.
    this.scanned = settled && generation === this.generation ? { generation, result } : null;
    return copyChanges(result);
  }

  diskUsage(): Promise<number> {
    return diskUsage(this.upper);
  }

  /** Fills this workspace from a checkpoint commit (see restoreCheckpoint: no link is followed). */
  async restore(mirrorPath: string, baseCommit: string, restoreCommit: string): Promise<void> {
    // The restore edits the tree in place, which a spare's bind sees; dropped anyway, so no sandbox built before it runs after it.
    await this.holder?.commands?.dropSpare();
    await this.whileChanging(async () =>
      restoreCheckpoint({ root: await this.hostRoot(), mirrorPath, baseCommit, restoreCommit }),
    );
  }

  async release(): Promise<void> {
    for (const c of this.running) c.abort();
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 10));
    const network = this.network;
    this.network = null;
    await (await network?.catch(() => null))?.close();
    const holder = this.holder;
    this.holder = null;
    // The holder's end does not end its jobs: the spare is killed first.
    await holder?.commands?.dropSpare();
    await holder?.stop();
  }

  async destroy(): Promise<void> {
    await this.release();
    this.destroyed = true;
    this.ctx.onClose(this.attemptId);
    const trash = `${this.ctx.dir}.trash-${randomBytes(4).toString("hex")}`;
    // Renamed first so a crash mid-delete never leaves a half attempt that looks whole.
    const moved = await rename(this.ctx.dir, trash).then(
      () => true,
      () => false,
    );
    await removeTree(moved ? trash : this.ctx.dir);
  }
}

/** A scan's lists, copied so a caller changing them cannot change what a later call returns. */
function copyChanges(result: WorkspaceChanges): WorkspaceChanges {
  return { ...result, changes: [...result.changes], skipped: [...result.skipped] };
}
