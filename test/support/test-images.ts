import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { tarOf, type TarEntry } from "../../packages/image/src/test-support.ts";

/**
 * Test images built from Debian's packages (mmdebstrap), packed by umoci, cached under
 * ~/.cache/cadre-test-images/<recipe hash> so a machine builds them once. Both share a base
 * layer (Debian bookworm's essential packages + lua5.4, a toolchain the host does not have);
 * each has a second layer of its own that deletes a file of the first and names itself in
 * /etc/os-release. `alt` also deletes bash and lua: a system with only /bin/sh.
 */
export interface TestImages {
  /** OCI layout holding the tags `lua` and `alt`. */
  layout: string;
  /** The `lua` image as an oci-archive file. */
  luaArchive: string;
  /** The file the base layer has and both top layers delete. */
  deletedFile: string;
}

const MIRROR = "http://deb.debian.org/debian";
const DELETED = "/etc/cadre-doomed";
const BASE_ARGS = [
  "--variant=essential",
  "--include=lua5.4",
  "--dpkgopt=path-exclude=/usr/share/man/*",
  "--dpkgopt=path-exclude=/usr/share/doc/*",
  "--dpkgopt=path-exclude=/usr/share/locale/*",
  "--dpkgopt=path-exclude=/usr/share/info/*",
  `--customize-hook=echo 'this file is deleted by the next layer' > "$1${DELETED}"`,
  "bookworm",
];

function osRelease(variant: string): string {
  return `PRETTY_NAME="Cadre test image (${variant})"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\nVARIANT_ID=${variant}\n`;
}

const TOP_LAYERS: Record<"lua" | "alt", TarEntry[]> = {
  lua: [
    { path: `etc/.wh.${DELETED.split("/").pop() as string}` },
    { path: "usr/lib/os-release", data: osRelease("cadre-lua") },
  ],
  alt: [
    { path: `etc/.wh.${DELETED.split("/").pop() as string}` },
    { path: "usr/lib/os-release", data: osRelease("cadre-alt") },
    { path: "usr/bin/.wh.bash" },
    { path: "usr/bin/.wh.lua5.4" },
  ],
};

const RECIPE = JSON.stringify({ version: 1, mirror: MIRROR, base: BASE_ARGS, top: TOP_LAYERS });

function run(program: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${program} ${args.slice(0, 3).join(" ")} failed: ${stderr.slice(-2000)}`)),
    );
  });
}

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

async function build(dir: string): Promise<void> {
  const rootfs = join(dir, "rootfs.tar");
  await run("mmdebstrap", ["--quiet", ...BASE_ARGS, rootfs, MIRROR]);
  const layout = join(dir, "layout");
  await run("umoci", ["init", "--layout", layout]);
  for (const tag of ["lua", "alt"] as const) {
    await run("umoci", ["new", "--image", `${layout}:${tag}`]);
    await run("umoci", ["raw", "add-layer", "--image", `${layout}:${tag}`, rootfs]);
    const top = join(dir, `${tag}-top.tar`);
    await writeFile(top, tarOf(TOP_LAYERS[tag]));
    await run("umoci", ["raw", "add-layer", "--image", `${layout}:${tag}`, top]);
    await rm(top);
  }
  await rm(rootfs);
  await run("skopeo", ["--insecure-policy", "copy", `oci:${layout}:lua`, `oci-archive:${join(dir, "lua.tar")}:lua`]);
}

let building: Promise<TestImages> | null = null;

/** The test images, built on first use on this machine (about a minute; needs Debian's mirror). */
export function testImages(): Promise<TestImages> {
  building ??= (async () => {
    const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "cadre-test-images");
    const dir = join(cache, createHash("sha256").update(RECIPE).digest("hex").slice(0, 16));
    if (!(await exists(join(dir, "lua.tar")))) {
      const tmp = join(cache, `tmp-${randomBytes(6).toString("hex")}`);
      await mkdir(tmp, { recursive: true });
      try {
        await build(tmp);
        // A concurrent build may have won: either copy is complete.
        await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }));
      } catch (error) {
        await rm(tmp, { recursive: true, force: true });
        throw error;
      }
    }
    return { layout: join(dir, "layout"), luaArchive: join(dir, "lua.tar"), deletedFile: DELETED };
  })();
  return building;
}
