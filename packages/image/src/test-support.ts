import { spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { Header, type HeaderData } from "tar";

export interface TarEntry {
  path: string;
  type?: HeaderData["type"];
  mode?: number;
  linkpath?: string;
  data?: string;
}

/** A tar archive made entry by entry, so tests can hold what a real layer may hold (whiteouts, devices, links). */
export function tarOf(entries: TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = Buffer.from(entry.data ?? "");
    const type = entry.type ?? "File";
    const header = new Header({
      path: entry.path,
      type,
      mode: entry.mode ?? (type === "Directory" ? 0o755 : 0o644),
      size: type === "File" ? data.length : 0,
      linkpath: entry.linkpath,
      uid: 0,
      gid: 0,
      mtime: new Date(0),
      ...(type === "CharacterDevice" ? { devmaj: 1, devmin: 3 } : {}),
    });
    const block = Buffer.alloc(512);
    header.encode(block, 0);
    blocks.push(block);
    if (type === "File" && data.length > 0) {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function run(program: string, args: string[]): void {
  const result = spawnSync(program, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${program} ${args.join(" ")} failed: ${result.stderr}`);
}

/** An OCI layout at `layout` with tag `tag` made of the given layer tars (bottom first), by umoci. */
export async function buildLayout(layout: string, tag: string, layers: Buffer[]): Promise<void> {
  run("umoci", ["init", "--layout", layout]);
  run("umoci", ["new", "--image", `${layout}:${tag}`]);
  for (const [index, layer] of layers.entries()) {
    const file = `${layout}.layer-${index}.tar`;
    await writeFile(file, layer);
    run("umoci", ["raw", "add-layer", "--image", `${layout}:${tag}`, file]);
  }
}

/** Runs a shell script with the overlay of `layers` (top-most first) mounted read-only at "$1". */
export function inOverlay(layers: string[], mountPoint: string, script: string): string {
  const result = spawnSync(
    "unshare",
    [
      "-Urm",
      "sh",
      "-c",
      `mount -t overlay overlay -o "lowerdir=$0,userxattr" "$1" && ${script}`,
      layers.join(":"),
      mountPoint,
    ],
    { encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`overlay script failed: ${result.stderr}`);
  return result.stdout;
}
