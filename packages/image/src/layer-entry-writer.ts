import { ImageContentError } from "./image-error.ts";
import { copyFileSync, chmodSync, linkSync, lstatSync, mkdirSync, rmSync, symlinkSync, type Stats } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { ReadEntry } from "tar";
import { LayerView, type LowerLayer } from "./layer-view.ts";

const OPAQUE_MARKER = ".wh..wh..opq";
const WHITEOUT_PREFIX = ".wh.";

export interface EntryCounts {
  files: number;
  bytes: number;
  /** Setuid/setgid bits removed (files in the image never escalate). */
  setuidStripped: number;
  /** Device nodes and FIFOs not created: the sandbox provides /dev itself. */
  skippedDevices: string[];
}

/** A layer entry's path as components under the root; refuses `..` (no real image needs it). */
export function entryParts(path: string): string[] {
  const parts = path.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes(".."))
    throw new ImageContentError(`entry ${JSON.stringify(path)} climbs out of the root with '..'`);
  return parts;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * Writes one layer's tar entries into `top` (a fresh directory) so that overlayfs, stacking it
 * over `lowers`, shows what a container runtime shows after applying the layer: parents resolved
 * through the image's symlinks, OCI whiteouts kept as pending overlay whiteouts and opaque
 * directories, ownership left to the unpacking user, setuid/setgid stripped, devices skipped.
 * Every host path it touches lies under `top` with no symlink among its parents.
 */
export class LayerEntryWriter {
  readonly view: LayerView;
  readonly counts: EntryCounts = { files: 0, bytes: 0, setuidStripped: 0, skippedDevices: [] };
  /** Final modes of directories, applied last so a read-only directory can still be filled. */
  readonly directoryModes = new Map<string, number>();
  private readonly resolvedParents = new Map<string, string[]>();

  constructor(
    private readonly top: string,
    lowers: LowerLayer[],
  ) {
    this.view = new LayerView(top, lowers);
  }

  async write(entry: ReadEntry): Promise<void> {
    const parts = entryParts(entry.path);
    const base = parts.pop();
    if (base === undefined) {
      entry.resume();
      return;
    }
    const parent = this.parentDir(parts);
    if (base.startsWith(WHITEOUT_PREFIX)) {
      entry.resume();
      this.whiteout(parent, base);
      return;
    }
    const target = [...parent, base];
    const key = target.join("/");
    const hostPath = join(this.top, ...target);
    const existing = lstatOrNull(hostPath);
    if (entry.type === "Directory") {
      entry.resume();
      if (!existing?.isDirectory()) {
        if (existing) this.remove(hostPath);
        // A directory re-created where this layer whited one out must not show the old contents.
        if (this.view.whiteouts.delete(key)) this.view.opaque.add(key);
        mkdirSync(hostPath, { mode: 0o700 });
      }
      this.directoryModes.set(hostPath, (entry.mode ?? 0o755) & 0o7777);
      return;
    }
    if (existing) this.remove(hostPath);
    this.view.whiteouts.delete(key);
    switch (entry.type) {
      case "File":
      case "OldFile":
      case "ContiguousFile":
        await this.writeFile(entry, hostPath);
        return;
      case "SymbolicLink":
        entry.resume();
        symlinkSync(entry.linkpath ?? "", hostPath);
        this.resolvedParents.clear();
        return;
      case "Link":
        entry.resume();
        this.hardLink(entry.linkpath ?? "", hostPath, entry.path);
        return;
      default:
        entry.resume();
        this.counts.skippedDevices.push(`/${key}`);
    }
  }

  private parentDir(parts: string[]): string[] {
    const key = parts.join("/");
    const cached = this.resolvedParents.get(key);
    if (cached) return cached;
    const resolved = this.view.resolveDir(parts);
    this.ensureDirs(resolved);
    this.resolvedParents.set(key, resolved);
    return resolved;
  }

  /** Creates the directories of `parts` in this layer, with the modes the merged view shows. */
  private ensureDirs(parts: string[]): void {
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth);
      const hostPath = join(this.top, ...prefix);
      const stat = lstatOrNull(hostPath);
      if (stat?.isDirectory()) continue;
      const seen = this.view.lookup(prefix);
      if (stat || seen.kind === "other" || seen.kind === "symlink")
        throw new ImageContentError(`/${prefix.join("/")} is not a directory, but a layer entry lies beneath it`);
      const key = prefix.join("/");
      if (this.view.whiteouts.delete(key)) this.view.opaque.add(key);
      mkdirSync(hostPath, { mode: 0o700 });
      this.directoryModes.set(hostPath, seen.kind === "dir" ? seen.mode : 0o755);
    }
  }

  private whiteout(parent: string[], base: string): void {
    const parentKey = parent.join("/");
    if (base === OPAQUE_MARKER) {
      this.view.opaque.add(parentKey);
      return;
    }
    // Other .wh..wh. names are AUFS bookkeeping, not whiteouts.
    if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return;
    const target = [...parent, base.slice(WHITEOUT_PREFIX.length)];
    // A file of this same layer is not hidden by its whiteout (OCI image spec); it hides the lower one anyway.
    if (lstatOrNull(join(this.top, ...target))) return;
    if (this.view.lookup(target).kind !== "absent") this.view.whiteouts.add(target.join("/"));
  }

  private async writeFile(entry: ReadEntry, hostPath: string): Promise<void> {
    const mode = (entry.mode ?? 0o644) & 0o7777;
    if (mode & 0o6000) this.counts.setuidStripped++;
    // O_EXCL: never writes through a link that appeared at the target.
    const handle = await open(hostPath, "wx", 0o600);
    try {
      for await (const chunk of entry as AsyncIterable<Buffer>) {
        await handle.write(chunk);
        this.counts.bytes += chunk.length;
      }
      await handle.chmod(mode & 0o777);
    } finally {
      await handle.close();
    }
    this.counts.files++;
  }

  private hardLink(linkPath: string, hostPath: string, name: string): void {
    const parts = entryParts(linkPath);
    const base = parts.pop();
    if (base === undefined) throw new ImageContentError(`hard link ${name} has no target`);
    const source = [...this.view.resolveDir(parts), base];
    const inLayer = join(this.top, ...source);
    const stat = lstatOrNull(inLayer);
    if (stat?.isFile()) {
      linkSync(inLayer, hostPath);
      this.counts.files++;
      return;
    }
    // A link to a file of a lower layer cannot be a hard link across directories: copy it.
    const lower = this.view.locate(source);
    if (!lower)
      throw new ImageContentError(`hard link ${name} points to ${linkPath}, which is not a file of the image`);
    copyFileSync(lower, hostPath);
    chmodSync(hostPath, lstatSync(lower).mode & 0o777);
    this.counts.files++;
  }

  private remove(hostPath: string): void {
    rmSync(hostPath, { recursive: true, force: true });
    this.resolvedParents.clear();
  }
}
