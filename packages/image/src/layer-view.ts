import { ImageContentError } from "./image-error.ts";
import { lstatSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";

const MAX_LINKS = 40;

/** What the merged view (the layer being unpacked over its lower layers) holds at a path. */
export type ViewEntry =
  { kind: "absent" } | { kind: "dir"; mode: number } | { kind: "symlink"; target: string } | { kind: "other" };

export function isWhiteout(stat: Stats): boolean {
  return stat.isCharacterDevice() && stat.rdev === 0;
}

/** An unpacked lower layer: its root directory and the directories it marks opaque. */
export interface LowerLayer {
  root: string;
  opaque: ReadonlySet<string>;
}

interface ViewLayer extends LowerLayer {
  /** Whiteouts not yet written to disk (only the layer being unpacked has them). */
  whiteouts: ReadonlySet<string>;
}

/**
 * The image's root as overlayfs will show it, seen while one layer is unpacked: the layer's own
 * directory (`top`, with its whiteouts and opaque directories still pending in memory) over the
 * unpacked lower layers. Used to resolve the parent directories of a layer's entries through
 * symlinks the way a container runtime applying the layer onto the root would (`bin/x` lands in
 * `usr/bin/x` when a lower layer has `bin -> usr/bin`), without ever following a link on the host.
 */
export class LayerView {
  readonly whiteouts = new Set<string>();
  readonly opaque = new Set<string>();
  private readonly layers: ViewLayer[];

  constructor(top: string, lowers: LowerLayer[]) {
    this.layers = [
      { root: top, opaque: this.opaque, whiteouts: this.whiteouts },
      ...lowers.map((lower) => ({ ...lower, whiteouts: new Set<string>() })),
    ];
  }

  /** The entry at `parts` (no link followed), looking through the layers as overlayfs does. */
  lookup(parts: string[]): ViewEntry {
    const found = this.find(parts);
    if (!found) return { kind: "absent" };
    if (found.depth < parts.length && !found.stat.isSymbolicLink()) return { kind: "other" };
    return describe(found.root, parts.slice(0, found.depth), found.stat);
  }

  /** Host path of the regular file the merged view shows at `parts`, if it is one. */
  locate(parts: string[]): string | null {
    const found = this.find(parts);
    return found && found.depth === parts.length && found.stat.isFile() ? join(found.root, ...parts) : null;
  }

  /** The top-most layer holding `parts`, or the non-directory that ends the walk early (at `depth`). */
  private find(parts: string[]): { root: string; stat: Stats; depth: number } | null {
    let candidates = this.layers;
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth);
      const key = prefix.join("/");
      const next: ViewLayer[] = [];
      let first: { root: string; stat: Stats; depth: number } | null = null;
      for (const layer of candidates) {
        if (layer.whiteouts.has(key)) break;
        const stat = statIn(layer.root, prefix);
        if (!stat) continue;
        if (isWhiteout(stat)) break;
        first ??= { root: layer.root, stat, depth };
        // A non-directory ends the lookup: it hides what lies below, or is hidden by the directory above.
        if (!stat.isDirectory()) break;
        next.push(layer);
        if (layer.opaque.has(key)) break;
      }
      if (!first || depth === parts.length || !first.stat.isDirectory()) return first;
      candidates = next;
    }
    return null;
  }

  /**
   * Resolves a directory path through the symlinks of the merged view, staying inside the root
   * (`..` stops at `/`, absolute targets start from the image's root). Components that do not
   * exist are kept as they are: the caller creates them as directories.
   */
  resolveDir(parts: string[]): string[] {
    let pending = [...parts];
    let resolved: string[] = [];
    let links = 0;
    while (pending.length > 0) {
      const name = pending.shift() as string;
      if (name === "." || name === "") continue;
      if (name === "..") {
        resolved.pop();
        continue;
      }
      const candidate = [...resolved, name];
      const entry = this.lookup(candidate);
      if (entry.kind !== "symlink") {
        resolved = candidate;
        continue;
      }
      if (++links > MAX_LINKS)
        throw new ImageContentError(`too many levels of symbolic links at /${candidate.join("/")}`);
      if (entry.target.startsWith("/")) resolved = [];
      pending = [...entry.target.split("/"), ...pending];
    }
    return resolved;
  }
}

function statIn(root: string, parts: string[]): Stats | null {
  try {
    return lstatSync(join(root, ...parts));
  } catch {
    return null;
  }
}

function describe(root: string, parts: string[], stat: Stats): ViewEntry {
  if (stat.isDirectory()) return { kind: "dir", mode: stat.mode & 0o7777 };
  if (stat.isSymbolicLink()) return { kind: "symlink", target: readlinkSync(join(root, ...parts)) };
  return { kind: "other" };
}
