import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { LayerView, type LowerLayer } from "./layer-view.ts";

/**
 * Which of `paths` (absolute, inside the image) the merged image holds, symlinks followed inside
 * the image as the sandbox would (`/bin/bash` through `bin -> usr/bin`). For choices made before
 * the sandbox starts: the shell, whether Cadre must provide CA certificates.
 */
export async function imageHasPaths(layers: string[], paths: string[]): Promise<Record<string, boolean>> {
  const stack: LowerLayer[] = [];
  for (const root of layers) {
    const opaque = JSON.parse(await readFile(join(dirname(root), "opaque.json"), "utf8")) as string[];
    stack.push({ root, opaque: new Set(opaque) });
  }
  const [top, ...lowers] = stack;
  const out: Record<string, boolean> = {};
  for (const path of paths) {
    if (!top) {
      out[path] = false;
      continue;
    }
    const view = new LayerView(top.root, lowers);
    for (const key of top.opaque) view.opaque.add(key);
    const parts = path.split("/").filter(Boolean);
    try {
      const resolved = view.resolveDir(parts);
      out[path] = resolved.length > 0 && view.lookup(resolved).kind !== "absent";
    } catch {
      out[path] = false;
    }
  }
  return out;
}
