import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { withFileLock } from "./file-lock.ts";
import { launch } from "./launch.ts";
import { setupNetworkPolicy } from "./network-policy.ts";
import { NamespaceHolder, type OverlayLayers } from "./overlay.ts";
import { PhaseNetwork } from "./phase-network.ts";
import { removeTree } from "./remove-tree.ts";
import { sandboxEnv } from "./sandbox-env.ts";
import { planPhaseNetwork, type PhaseNetworkPlan, type SandboxRuntime } from "./sandbox-runtime.ts";
import { stripSetIdBits } from "./strip-set-id.ts";
import type { ImageStore } from "@cadre/image";
import { loadSandboxImage, resolveSandboxImage, type SandboxImage } from "./environment-image.ts";
import { imageRootDirs, mountImageRoot, type ImageRootDirs } from "./image-root.ts";
import { SandboxError, type ProvisionRequest } from "./types.ts";
import { withImageVariables } from "./image-variables.ts";

export interface CurrentSetup {
  version: string;
  createdAt: number;
  /** Base checkout the layer lies over (kept alive by gc while the layer is). */
  base: string;
  /** The image the layer was built on, pinned when it was built: a moved tag waits for the next build. */
  image?: { reference: string; digest: string } | null;
}

/** A ready setup layer: its upper dir (null when there is nothing to set up) and the pinned image. */
export interface SetupResult {
  upper: string | null;
  image: SandboxImage | null;
}

export interface SetupLayerStoreOptions {
  root: string;
  tmpDir: string;
  /** "worktree": no overlayfs, so a layer is a full copy of the tree the script ran in. */
  kind: "overlay" | "worktree";
  runtime: SandboxRuntime;
  images: ImageStore;
}

/**
 * Setup layers: per (commit, environment key) the overlay upper dir the setup script produced
 * over the base checkout. Each build is a new version directory made aside and renamed into
 * place; `current.json` names the version in use, so a crash mid-build leaves only a temp dir.
 */
export class SetupLayerStore {
  constructor(private readonly o: SetupLayerStoreOptions) {}

  keyDir(commit: string, envKey: string): string {
    const hash = createHash("sha256").update(`${commit}\0${envKey}`).digest("hex").slice(0, 32);
    return join(this.o.root, hash);
  }

  /**
   * The fresh setup layer for the request, building or refreshing it once. With an image, the
   * layer also pins it: a fresh layer keeps the digest it was built on, a rebuild resolves the
   * reference again (and says so when it moved).
   */
  async ensure(req: ProvisionRequest, base: string): Promise<SetupResult> {
    const env = req.environment;
    if (env.setupScript.trim() === "" && !env.image) return { upper: null, image: null };
    const dir = this.keyDir(req.baseCommit, env.key);
    const fresh = await this.freshSetup(dir, env.setupTtlMs);
    if (fresh) return fresh;
    await mkdir(dir, { recursive: true });
    return withFileLock(`${dir}.lock`, async () => {
      const again = await this.freshSetup(dir, env.setupTtlMs);
      if (again) return again;
      const current = await readCurrent(dir);
      const image = env.image ? await this.resolveImage(req, current) : null;
      const previous = current && env.maintenanceScript.trim() !== "" ? join(dir, current.version, "upper") : null;
      const version = `v${Date.now()}-${randomBytes(3).toString("hex")}`;
      const built = await this.build(req, base, previous, image);
      await rename(built, join(dir, version));
      const tmpCurrent = join(dir, `current.json.${randomBytes(3).toString("hex")}`);
      const pin = image ? { reference: image.reference, digest: image.digest } : null;
      await writeFile(
        tmpCurrent,
        JSON.stringify({ version, createdAt: Date.now(), base, image: pin } satisfies CurrentSetup),
      );
      await rename(tmpCurrent, join(dir, "current.json"));
      return { upper: join(dir, version, "upper"), image };
    });
  }

  private async resolveImage(req: ProvisionRequest, current: CurrentSetup | null): Promise<SandboxImage> {
    const line = (text: string): void => req.onSetupOutput?.("setup", `${text}\n`);
    const image = await resolveSandboxImage(this.o.images, req.environment, line);
    if (current?.image && current.image.reference === image.reference && current.image.digest !== image.digest)
      line(
        `image ${image.reference} moved from ${current.image.digest} to ${image.digest}: this setup rebuild uses the new one`,
      );
    return image;
  }

  /** The current version while it is younger than the TTL (and its pinned image still unpacked here). */
  private async freshSetup(dir: string, ttlMs: number): Promise<SetupResult | null> {
    const current = await readCurrent(dir);
    if (!current || Date.now() - current.createdAt >= ttlMs) return null;
    const upper = join(dir, current.version, "upper");
    if (!current.image) return { upper, image: null };
    const image = await loadSandboxImage(this.o.images, current.image.reference, current.image.digest);
    return image ? { upper, image } : null;
  }

  /** Runs setup (or maintenance over a copy of the previous layer); returns the built dir. */
  private async build(
    req: ProvisionRequest,
    base: string,
    previousUpper: string | null,
    image: SandboxImage | null,
  ): Promise<string> {
    const env = req.environment;
    const phase = previousUpper ? "maintenance" : "setup";
    const script = previousUpper ? env.maintenanceScript : env.setupScript;
    const tmp = join(this.o.tmpDir, `${phase}-${randomBytes(6).toString("hex")}`);
    const layers = { lowers: [base], upper: join(tmp, "upper"), work: join(tmp, "work"), merged: join(tmp, "merged") };
    try {
      await mkdir(tmp, { recursive: true });
      const overlay = this.o.kind === "overlay";
      if (previousUpper || !overlay) await copyTree(previousUpper ?? base, layers.upper);
      for (const d of overlay ? [layers.upper, layers.work, layers.merged] : []) await mkdir(d, { recursive: true });
      // An image without a setup script still gets a (empty) layer: it is what pins the image.
      if (script.trim() === "") return await this.finishBuild(tmp, overlay, layers);
      const secrets = Object.values(env.secrets);
      const root = image ? imageRootDirs(tmp, image.layers) : null;
      const result = await this.inPhaseNamespaces(req, overlay ? layers : null, root, (plan) =>
        launch({
          entry: plan.entry,
          workspace: overlay ? layers.merged : layers.upper,
          readOnly: false,
          network: plan.network,
          seccomp: this.o.runtime.seccomp,
          cwd: "",
          env: sandboxEnv({
            variables: withImageVariables(env.variables, image),
            secrets: env.secrets,
            proxy: plan.proxy,
          }),
          limits: env.limits,
          timeoutMs: env.limits.commandTimeoutMs,
          redact: secrets,
          onOutput: (_stream, chunk) => req.onSetupOutput?.(phase, chunk),
          ...(root && image
            ? { systemRoot: { merged: root.merged, hostCaCertificates: image.hostCaCertificates }, shell: image.shell }
            : {}),
          command: script,
        }),
      );
      if (result.exitCode !== 0) {
        const why = result.timedOut
          ? `timed out after ${env.limits.commandTimeoutMs} ms`
          : `exited with code ${result.exitCode ?? "null (killed)"}${result.limit ? ` (${result.limit})` : ""}`;
        throw new SandboxError(
          "setup_failed",
          `the environment's ${phase} script ${why}; fix the script and retry`,
          result.output,
        );
      }
      // The layer outlives the script on the host disk: no setuid file of it may stay there.
      await stripSetIdBits(layers.upper);
      return await this.finishBuild(tmp, overlay, layers);
    } catch (e) {
      await removeTree(tmp);
      throw e;
    }
  }

  private async finishBuild(tmp: string, overlay: boolean, layers: { work: string; merged: string }): Promise<string> {
    for (const scratch of overlay
      ? [layers.work, layers.merged, ...["root-upper", "root-work", "root"].map((d) => join(tmp, d))]
      : [])
      await removeTree(scratch);
    return tmp;
  }

  /**
   * Runs `work` in the namespaces of a setup or maintenance phase: a holder of its own (with the
   * overlay mounted) whose network namespace reaches out only through the egress proxy, with the
   * setup policy (public internet and the hosts the environment lists, never the host's services).
   */
  private async inPhaseNamespaces<T>(
    req: ProvisionRequest,
    layers: OverlayLayers | null,
    root: ImageRootDirs | null,
    work: (plan: PhaseNetworkPlan) => Promise<T>,
  ): Promise<T> {
    const holder = await NamespaceHolder.start(layers);
    let network: PhaseNetwork | null = null;
    try {
      // The image's root beside the workspace, in the same namespace (an image environment's setup runs on it).
      if (root) await mountImageRoot(holder.pid, root);
      const policy = setupNetworkPolicy(req.environment.networkPolicy);
      const plan = planPhaseNetwork(this.o.runtime, holder.pid, policy);
      if (plan.proxy)
        network = await PhaseNetwork.start({
          holderPid: holder.pid,
          policy,
          resolveHost: this.o.runtime.resolveHost,
          onBlocked: (info) => req.onNetworkBlocked?.(info),
        });
      return await work(plan);
    } finally {
      await network?.close();
      await holder.stop();
    }
  }
}

export async function readCurrent(dir: string): Promise<CurrentSetup | null> {
  try {
    return JSON.parse(await readFile(join(dir, "current.json"), "utf8")) as CurrentSetup;
  } catch {
    return null;
  }
}

/** cp -a keeps whiteouts (0/0 char devices) and the user.overlay.* xattrs of opaque dirs. */
export function copyTree(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("cp", ["-a", "--reflink=auto", from, to], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new SandboxError("sandbox_error", `could not copy the setup layer: ${err.trim()}`)),
    );
  });
}
