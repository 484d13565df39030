import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { ImageStore } from "@cadre/image";
import { DEVCONTAINER_IMAGE } from "@cadre/protocol";
import {
  assertDevcontainerImageAllowed,
  assertImageOutside,
  localFileRoots,
  withDevcontainer,
} from "./environment-image.ts";
import { withImageVariables } from "./image-variables.ts";
import { materializeCommit } from "./base-checkout.ts";
import type { ResolveHost } from "./egress-proxy.ts";
import { withFileLock } from "./file-lock.ts";
import { assertLayerPath, overlaySupported } from "./overlay.ts";
import { removeTree } from "./remove-tree.ts";
import type { SandboxRuntime } from "./sandbox-runtime.ts";
import { loadSeccompProgram } from "./seccomp-program.ts";
import { copyTree, readCurrent, SetupLayerStore } from "./setup-layer.ts";
import { SandboxWorkspace, type AttemptMeta } from "./sandbox-workspace.ts";
import { SandboxError, type ProvisionRequest, type Workspace } from "./types.ts";

export interface SandboxManagerOptions {
  /** `$CADRE_HOME/sandboxes`. */
  root: string;
  /** Name resolution for the allowlist proxy (tests map names to local servers). */
  resolveHost?: ResolveHost;
  /** Use plain directory copies even where overlayfs works (tests of the fallback). */
  forceWorktree?: boolean;
  /**
   * For benchmarks of the old path only: `false` turns off the seccomp filter and lets setup and
   * policy `on` share the host's network. Never set in production.
   */
  hardening?: boolean;
  /**
   * Where a repository's devcontainer.json may name image files on this machine (the operator's
   * `CADRE_LOCAL_REPO_ROOTS`, the default); anywhere else only registry images.
   */
  localRoots?: string[];
}

export interface GcResult {
  deleted: string[];
}

const ATTEMPT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Provisions attempt workspaces from cached layers: base checkout per commit, setup layer per
 * (commit, environment), and an empty upper layer per attempt. Layout under `root`:
 * base/<commit>, setup/<hash>/<version>/upper, attempts/<id>/{upper,work,merged,meta.json},
 * tmp/ (builds, renamed into place when complete), seccomp/ (the compiled filter, by content hash).
 */
export class SandboxManager {
  private readonly root: string;
  private readonly open_ = new Map<string, SandboxWorkspace>();
  private initialized: Promise<void> | null = null;
  private runtime: SandboxRuntime | null = null;
  private kindCache: "overlay" | "worktree" | null = null;
  /** Image layers, shared by every environment (under `<root>/images`). */
  readonly images: ImageStore;

  constructor(private readonly options: SandboxManagerOptions) {
    this.root = options.root;
    this.images = new ImageStore(join(options.root, "images"));
  }

  private dir(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  private init(): Promise<void> {
    this.initialized ??= (async () => {
      assertLayerPath(this.root);
      // Layers hold files the sandbox made (owned by the runner's user): no other local user may reach them.
      await mkdir(this.root, { recursive: true, mode: 0o700 });
      await chmod(this.root, 0o700);
      for (const d of ["base", "setup", "setup-tree", "attempts", "tmp"]) await mkdir(this.dir(d), { recursive: true });
      const hardening = this.options.hardening ?? true;
      this.runtime = {
        seccomp: hardening ? await loadSeccompProgram(this.dir("seccomp")) : null,
        privateNetwork: hardening,
        resolveHost: this.options.resolveHost,
      };
    })();
    return this.initialized;
  }

  private kind(): "overlay" | "worktree" {
    this.kindCache ??= !this.options.forceWorktree && overlaySupported(this.dir("tmp")) ? "overlay" : "worktree";
    return this.kindCache;
  }

  /** Set by init(), which every entry point awaits first. */
  private get sandboxRuntime(): SandboxRuntime {
    if (!this.runtime) throw new SandboxError("sandbox_error", "the sandbox manager is not initialized");
    return this.runtime;
  }

  private setupStore(kind: "overlay" | "worktree"): SetupLayerStore {
    return new SetupLayerStore({
      runtime: this.sandboxRuntime,
      root: this.dir(kind === "overlay" ? "setup" : "setup-tree"),
      tmpDir: this.dir("tmp"),
      kind,
      images: this.images,
    });
  }

  private async ensureBase(mirrorPath: string, commit: string): Promise<string> {
    if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(commit))
      throw new SandboxError("sandbox_error", `base commit must be a full sha, got ${JSON.stringify(commit)}`);
    const dest = this.dir("base", commit);
    if (await stat(dest).catch(() => null)) return dest;
    return withFileLock(`${dest}.lock`, async () => {
      if (!(await stat(dest).catch(() => null))) await materializeCommit(mirrorPath, commit, dest);
      return dest;
    });
  }

  async provision(req: ProvisionRequest): Promise<Workspace> {
    await this.init();
    if (!ATTEMPT_ID.test(req.attemptId))
      throw new SandboxError(
        "sandbox_error",
        `attempt id ${JSON.stringify(req.attemptId)} may only hold letters, digits, '.', '_' and '-'`,
      );
    const attemptDir = this.dir("attempts", req.attemptId);
    if (this.open_.has(req.attemptId) || (await stat(attemptDir).catch(() => null))) {
      throw new SandboxError(
        "sandbox_error",
        `attempt ${req.attemptId} already has a workspace; re-attach with open() or destroy() it first`,
      );
    }
    const kind = this.kind();
    if (kind === "worktree")
      req.onNotice?.(
        "warning",
        "overlayfs unavailable, using git worktree: provisioning is slower (each attempt copies the whole checkout)",
      );
    const environment = await withDevcontainer(req);
    if (environment.image && req.environment.image === DEVCONTAINER_IMAGE)
      await assertDevcontainerImageAllowed(
        environment.image,
        this.options.localRoots ?? (await localFileRoots(process.env.CADRE_LOCAL_REPO_ROOTS)),
      );
    if (environment.image) await assertImageOutside(environment.image, dirname(this.root));
    if (environment.image && kind === "worktree")
      throw new SandboxError(
        "sandbox_error",
        `environment image ${environment.image} needs overlayfs, which this machine cannot mount in a user namespace`,
      );
    const base = await this.ensureBase(req.mirrorPath, req.baseCommit);
    const { upper: setup, image } = await this.setupStore(kind).ensure({ ...req, environment }, base);
    const meta: AttemptMeta = {
      attemptId: req.attemptId,
      kind,
      baseCommit: req.baseCommit,
      base,
      setup,
      image,
      createdAt: Date.now(),
    };
    const tmp = this.dir("tmp", `attempt-${randomBytes(6).toString("hex")}`);
    try {
      if (kind === "overlay") {
        for (const d of ["upper", "work", "merged"]) await mkdir(join(tmp, d), { recursive: true });
      } else {
        await mkdir(tmp, { recursive: true });
        await copyTree(setup ?? base, join(tmp, "tree"));
      }
      await writeFile(join(tmp, "meta.json"), JSON.stringify(meta));
      await rename(tmp, attemptDir);
    } catch (e) {
      await removeTree(tmp);
      throw e;
    }
    const ws = this.attach(attemptDir, meta, { ...req, environment });
    await ws.ready();
    if (req.restoreCommit) await ws.restore(req.mirrorPath, req.baseCommit, req.restoreCommit);
    return ws;
  }

  /** Re-attaches to an attempt's existing layer (after a restart): same files, new processes. */
  async open(attemptId: string, req: ProvisionRequest): Promise<Workspace> {
    await this.init();
    const existing = this.open_.get(attemptId);
    if (existing) return existing;
    if (!ATTEMPT_ID.test(attemptId))
      throw new SandboxError("sandbox_error", `invalid attempt id ${JSON.stringify(attemptId)}`);
    const attemptDir = this.dir("attempts", attemptId);
    const meta = await readMeta(attemptDir);
    if (!meta)
      throw new SandboxError(
        "sandbox_error",
        `attempt ${attemptId} has no workspace here; provision it (with restoreCommit to resume from a checkpoint)`,
      );
    const environment = await withDevcontainer(req);
    const ws = this.attach(attemptDir, meta, { ...req, attemptId, environment });
    await ws.ready();
    return ws;
  }

  private attach(dir: string, meta: AttemptMeta, req: ProvisionRequest): SandboxWorkspace {
    const variables = withImageVariables(req.environment.variables, meta.image ?? null);
    const ws = new SandboxWorkspace({
      dir,
      meta,
      req: { ...req, environment: { ...req.environment, variables } },
      runtime: this.sandboxRuntime,
      onClose: (id) => this.open_.delete(id),
    });
    this.open_.set(meta.attemptId, ws);
    return ws;
  }

  /**
   * Deletes attempt layers older than maxAgeMs that no open workspace uses, then setup versions
   * and base checkouts no remaining attempt references (setup versions that are still current
   * and younger than maxAgeMs stay), and stale temp dirs.
   */
  async gc(opts: { maxAgeMs: number }): Promise<GcResult> {
    await this.init();
    const deleted: string[] = [];
    const cutoff = Date.now() - opts.maxAgeMs;
    const referenced = new Set<string>();
    const images = new Set<string>();
    for (const id of await readdir(this.dir("attempts"))) {
      const dir = this.dir("attempts", id);
      const meta = await readMeta(dir);
      const st = await stat(dir).catch(() => null);
      const inUse = this.open_.has(id);
      if (!inUse && (!meta || (st && st.mtimeMs < cutoff && meta.createdAt < cutoff))) {
        await removeTree(dir);
        deleted.push(dir);
        continue;
      }
      if (meta) {
        referenced.add(meta.base);
        if (meta.setup) referenced.add(join(meta.setup, ".."));
        if (meta.image) images.add(meta.image.digest);
      }
    }
    for (const kindDir of ["setup", "setup-tree"]) {
      for (const hash of await readdir(this.dir(kindDir)).catch(() => [] as string[])) {
        if (hash.endsWith(".lock")) continue;
        const keyDir = this.dir(kindDir, hash);
        await withFileLock(`${keyDir}.lock`, async () => {
          const current = await readCurrent(keyDir);
          let kept = false;
          for (const version of await readdir(keyDir)) {
            if (version.startsWith("current.json")) continue;
            const versionDir = join(keyDir, version);
            if ((current?.version === version && current.createdAt >= cutoff) || referenced.has(versionDir)) {
              kept = true;
              continue;
            }
            await removeTree(versionDir);
            deleted.push(versionDir);
          }
          if (current && kept) referenced.add(current.base);
          if (current?.image && kept) images.add(current.image.digest);
          if (current && !kept) await removeTree(join(keyDir, "current.json"));
        });
      }
    }
    for (const commit of await readdir(this.dir("base"))) {
      if (commit.endsWith(".lock")) continue;
      const dir = this.dir("base", commit);
      if (referenced.has(dir)) continue;
      await removeTree(dir);
      deleted.push(dir);
    }
    for (const t of await readdir(this.dir("tmp"))) {
      const p = this.dir("tmp", t);
      const st = await stat(p).catch(() => null);
      if (st && st.mtimeMs < Date.now() - Math.max(opts.maxAgeMs, 3600_000)) {
        await removeTree(p);
        deleted.push(p);
      }
    }
    // Layers go with the last setup layer or attempt that pinned their image.
    deleted.push(...(await this.images.gc(images, cutoff)));
    return { deleted };
  }

  /** Disk the unpacked image layers take (`cadre runners` shows it). */
  imageDiskUsage(): Promise<number> {
    return this.images.diskUsage();
  }
}

async function readMeta(dir: string): Promise<AttemptMeta | null> {
  try {
    return JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as AttemptMeta;
  } catch {
    return null;
  }
}
