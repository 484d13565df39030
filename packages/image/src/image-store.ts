import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseImageReference, pinnedReference, skopeoReference, type ImageReference } from "@cadre/protocol";
import { chainIds, digestHex } from "./chain-id.ts";
import { directorySize } from "./directory-size.ts";
import { ImageError } from "./image-error.ts";
import type { LowerLayer } from "./layer-view.ts";
import { readLayout, type LayoutImage } from "./oci-layout.ts";
import { registryCredentials, runSkopeo, skopeoCause, withAuthArgs } from "./skopeo.ts";
import { unpackLayer } from "./unpack-layer.ts";

/** An image ready to be a sandbox's root: its pinned digest and its unpacked layers. */
export interface ResolvedImage {
  /** The reference as the environment gave it. */
  reference: string;
  /** Digest of the manifest the reference named when it was pinned (`sha256:…`). */
  digest: string;
  /** Unpacked layer roots, top-most first (the order overlayfs takes them in). */
  layers: string[];
  /** The image config's environment (`PATH=…`), in order. */
  env: string[];
  workingDir: string | null;
}

interface ImageRecord {
  reference: string;
  digest: string;
  chain: string[];
  env: string[];
  workingDir: string | null;
  createdAt: number;
}

export interface ResolveOptions {
  /** The environment's secrets (registry credentials: IMAGE_REGISTRY_USERNAME/IMAGE_REGISTRY_PASSWORD). */
  secrets?: Record<string, string>;
  /** One line of progress at a time (resolving, pulling, each layer with its size). */
  onProgress?: (line: string) => void;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Images under one directory shared by every environment of this machine: `layers/<chain id>`
 * (each layer unpacked once, `root/` plus `opaque.json`), `manifests/<digest>.json` (what a
 * pinned manifest is made of), `tmp/` (pulls and unpacks in progress, renamed into place when
 * complete and verified, so nothing half-unpacked is ever used).
 */
export class ImageStore {
  private readonly unpacking = new Map<string, Promise<void>>();
  private sizeCache: number | null = null;

  constructor(readonly root: string) {}

  private dir(...parts: string[]): string {
    return join(this.root, ...parts);
  }

  private async init(): Promise<void> {
    for (const part of ["layers", "manifests", "tmp"]) await mkdir(this.dir(part), { recursive: true });
  }

  /** Parses a reference, refusing bad syntax and (for local files) a path that does not exist. */
  async check(text: string, options: ResolveOptions = {}): Promise<string> {
    const ref = this.parse(text);
    await this.init();
    return this.inspect(text, ref, options);
  }

  private parse(text: string): ImageReference {
    try {
      return parseImageReference(text);
    } catch (error) {
      throw new ImageError(text, (error as Error).message.replace(/^image reference "[^"]*": /, ""));
    }
  }

  /** The digest the reference names now (a manifest or an index): the pin. */
  private async inspect(text: string, ref: ImageReference, options: ResolveOptions): Promise<string> {
    if (ref.transport !== "docker") {
      const exists = await access(ref.path).then(
        () => true,
        () => false,
      );
      if (!exists)
        throw new ImageError(
          text,
          `${ref.path} does not exist on this machine (local image paths are read where the runner runs)`,
        );
    }
    const credentials = registryCredentials(options.secrets ?? {});
    const result = await withAuthArgs(ref, credentials, this.dir("tmp"), (auth) =>
      runSkopeo({
        args: ["inspect", "--raw", ...auth, "--", skopeoReference(ref)],
        tmpDir: this.dir("tmp"),
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      }),
    );
    if (result.code !== 0) throw new ImageError(text, describeFailure(ref, skopeoCause(result.stderr)));
    return `sha256:${createHash("sha256").update(result.stdout).digest("hex")}`;
  }

  /**
   * Pins the reference to the digest it names now and makes sure every layer of that manifest is
   * unpacked (pulling and verifying what is missing). Progress goes to `onProgress`.
   */
  async resolve(text: string, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const ref = this.parse(text);
    await this.init();
    const progress = options.onProgress ?? (() => undefined);
    progress(`image ${text}: resolving`);
    const digest = await this.inspect(text, ref, options);
    const known = await this.load(digest);
    if (known) {
      progress(`image ${text}: ${digest}, ${known.layers.length} layers already unpacked`);
      return { ...known, reference: text };
    }
    progress(`image ${text}: pinned to ${digest}; pulling`);
    const work = this.dir("tmp", `pull-${randomBytes(6).toString("hex")}`);
    try {
      await mkdir(work, { recursive: true });
      const credentials = registryCredentials(options.secrets ?? {});
      const copied = await withAuthArgs(ref, credentials, this.dir("tmp"), (auth) =>
        runSkopeo({
          args: [
            "copy",
            ...auth,
            "--",
            skopeoReference(pinnedReference(ref, digest)),
            `oci:${join(work, "layout")}:image`,
          ],
          tmpDir: work,
          timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          onLine: (line) => progress(`  ${line}`),
        }),
      );
      if (copied.code !== 0) throw new ImageError(text, describeFailure(ref, skopeoCause(copied.stderr)));
      const layout = await readLayout(join(work, "layout")).catch((error: Error) => {
        throw new ImageError(text, `the pulled image is not a valid OCI image: ${error.message}`);
      });
      const chain = chainIds(layout.config.rootfs.diff_ids);
      await this.unpackAll(text, layout, chain, progress);
      const record: ImageRecord = {
        reference: text,
        digest,
        chain,
        env: layout.config.config?.Env ?? [],
        workingDir: layout.config.config?.WorkingDir || null,
        createdAt: Date.now(),
      };
      await writeAtomically(this.dir("manifests", `${digestHex(digest)}.json`), JSON.stringify(record));
      this.sizeCache = null;
      progress(`image ${text}: ready (${chain.length} layers)`);
      return this.toResolved(record, text);
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  private async unpackAll(
    text: string,
    layout: LayoutImage,
    chain: string[],
    progress: (line: string) => void,
  ): Promise<void> {
    const total = layout.layers.length;
    for (const [index, layer] of layout.layers.entries()) {
      const chainId = chain[index] as string;
      const label = `layer ${index + 1}/${total} ${layer.descriptor.digest.slice(0, 19)}…`;
      const target = this.layerDir(chainId);
      if (await exists(target)) {
        progress(`${label}: already unpacked (shared)`);
        continue;
      }
      const running = this.unpacking.get(chainId);
      if (running) {
        await running;
        continue;
      }
      const lowers = await this.lowers(chain.slice(0, index));
      const job = this.unpackOne({
        text,
        chainId,
        label,
        layer,
        lowers,
        progress,
        diffId: layout.config.rootfs.diff_ids[index] as string,
      });
      this.unpacking.set(chainId, job);
      try {
        await job;
      } finally {
        this.unpacking.delete(chainId);
      }
    }
  }

  private async unpackOne(job: {
    text: string;
    chainId: string;
    label: string;
    layer: LayoutImage["layers"][number];
    diffId: string;
    lowers: LowerLayer[];
    progress: (line: string) => void;
  }): Promise<void> {
    const { layer, progress, label } = job;
    const tmp = this.dir("tmp", `layer-${randomBytes(6).toString("hex")}`);
    progress(`${label}: unpacking ${megabytes(layer.descriptor.size)} (${layer.compression})`);
    let nextReport = layer.descriptor.size / 4;
    try {
      const result = await unpackLayer({
        blobPath: layer.blobPath,
        digest: layer.descriptor.digest,
        size: layer.descriptor.size,
        compression: layer.compression,
        diffId: job.diffId,
        dir: tmp,
        lowers: job.lowers,
        onBytes: (bytes) => {
          if (bytes < nextReport || bytes >= layer.descriptor.size) return;
          progress(
            `${label}: ${Math.round((bytes / layer.descriptor.size) * 100)}% of ${megabytes(layer.descriptor.size)}`,
          );
          nextReport += layer.descriptor.size / 4;
        },
      });
      const notes = [
        `${result.files} files, ${megabytes(result.bytes)}`,
        ...(result.whiteouts + result.opaque.length > 0
          ? [`${result.whiteouts} deletions, ${result.opaque.length} opaque directories`]
          : []),
        ...(result.setuidStripped > 0 ? [`setuid/setgid removed from ${result.setuidStripped} files`] : []),
        ...(result.skippedDevices.length > 0
          ? [`${result.skippedDevices.length} device nodes not created (the sandbox provides /dev)`]
          : []),
      ];
      progress(`${label}: unpacked, ${notes.join("; ")}`);
      await rename(tmp, this.layerDir(job.chainId)).catch(async (error: NodeJS.ErrnoException) => {
        // Another process unpacked the same layer meanwhile: theirs is as good as ours.
        if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
        await removeLayerTree(tmp);
      });
    } catch (error) {
      await removeLayerTree(tmp);
      if (error instanceof ImageError) throw error;
      throw new ImageError(job.text, (error as Error).message);
    }
  }

  private layerDir(chainId: string): string {
    return this.dir("layers", digestHex(chainId));
  }

  private async lowers(chain: string[]): Promise<LowerLayer[]> {
    const out: LowerLayer[] = [];
    for (const chainId of [...chain].reverse()) {
      const dir = this.layerDir(chainId);
      const opaque = JSON.parse(await readFile(join(dir, "opaque.json"), "utf8")) as string[];
      out.push({ root: join(dir, "root"), opaque: new Set(opaque) });
    }
    return out;
  }

  /** The image a pinned digest stands for, if its record and every layer are here. */
  async load(digest: string): Promise<ResolvedImage | null> {
    let record: ImageRecord;
    try {
      record = JSON.parse(await readFile(this.dir("manifests", `${digestHex(digest)}.json`), "utf8")) as ImageRecord;
    } catch {
      return null;
    }
    for (const chainId of record.chain) if (!(await exists(this.layerDir(chainId)))) return null;
    return this.toResolved(record, record.reference);
  }

  private toResolved(record: ImageRecord, reference: string): ResolvedImage {
    return {
      reference,
      digest: record.digest,
      layers: [...record.chain].reverse().map((chainId) => join(this.layerDir(chainId), "root")),
      env: record.env,
      workingDir: record.workingDir,
    };
  }

  /**
   * Deletes manifests not in `keep` and pulled before `keepNewerThan` (a setup may be running on
   * a fresh pull that nothing records yet), then the layers no remaining manifest uses.
   */
  async gc(keep: ReadonlySet<string>, keepNewerThan: number, tmpMaxAgeMs = 3600_000): Promise<string[]> {
    await this.init();
    const deleted: string[] = [];
    const used = new Set<string>();
    for (const name of await readdir(this.dir("manifests"))) {
      const path = this.dir("manifests", name);
      const record = await readFile(path, "utf8")
        .then((text) => JSON.parse(text) as ImageRecord)
        .catch(() => null);
      if (record && (keep.has(record.digest) || record.createdAt >= keepNewerThan)) {
        for (const chainId of record.chain) used.add(digestHex(chainId));
        continue;
      }
      await rm(path, { force: true });
      deleted.push(path);
    }
    for (const name of await readdir(this.dir("layers"))) {
      if (used.has(name) || this.unpacking.size > 0) continue;
      await removeLayerTree(this.dir("layers", name));
      deleted.push(this.dir("layers", name));
    }
    for (const name of await readdir(this.dir("tmp"))) {
      const path = this.dir("tmp", name);
      const info = await stat(path).catch(() => null);
      if (info && info.mtimeMs < Date.now() - tmpMaxAgeMs) {
        await removeLayerTree(path);
        deleted.push(path);
      }
    }
    if (deleted.length > 0) this.sizeCache = null;
    return deleted;
  }

  /** Bytes the unpacked layers take on disk (cached until the next pull or collection). */
  async diskUsage(): Promise<number> {
    if (this.sizeCache !== null) return this.sizeCache;
    await this.init();
    this.sizeCache = await directorySize(this.dir("layers"));
    return this.sizeCache;
  }
}

function describeFailure(ref: ImageReference, cause: string): string {
  if (/manifest unknown|no descriptor found|not found in|no such image|reading manifest .* in /i.test(cause)) {
    const tag = ref.transport === "docker" ? (ref.digest ?? ref.tag ?? "latest") : (ref.tag ?? "the default");
    return `${tag === "the default" ? "no image without a tag" : `no tag ${tag}`} there (${cause}); check the tag`;
  }
  if (
    /dial tcp|no such host|connection refused|i\/o timeout|network is unreachable|killed .* is the registry reachable/i.test(
      cause,
    )
  )
    return `the registry cannot be reached (${cause}); check the name and the runner's network`;
  if (/unauthorized|authentication required|denied/i.test(cause))
    return `the registry refused access (${cause}); set the secrets IMAGE_REGISTRY_USERNAME and IMAGE_REGISTRY_PASSWORD`;
  if (/did not match|digest/i.test(cause)) return `a blob does not match its digest (${cause}); the image is corrupt`;
  return cause;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function writeAtomically(path: string, text: string): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString("hex")}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** Layers may hold directories without write permission (modes come from the image): open them first. */
async function removeLayerTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    await new Promise<void>((resolve) => {
      const child = spawn("chmod", ["-R", "u+rwx", "--", path], { stdio: "ignore" });
      child.on("close", () => resolve());
      child.on("error", () => resolve());
    });
    await rm(path, { recursive: true, force: true });
  }
}
