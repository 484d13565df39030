import { spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { assertLayerPath, enterPrefix, overlayMount } from "./overlay.ts";
import { SandboxError } from "./types.ts";

/** Where an image's root is mounted for one workspace or setup run, and its scratch dirs. */
export interface ImageRootDirs {
  /** Unpacked image layers, top-most first. */
  layers: string[];
  /** Holds only the mount points bubblewrap creates (it is remounted read-only before the command). */
  upper: string;
  work: string;
  merged: string;
}

export function imageRootDirs(dir: string, layers: string[]): ImageRootDirs {
  return { layers, upper: join(dir, "root-upper"), work: join(dir, "root-work"), merged: join(dir, "root") };
}

/**
 * Mounts the image's layers as one overlay in the mount namespace of a workspace's holder, next
 * to the workspace overlay. nosuid,nodev: nothing in an image escalates (setuid bits are also
 * stripped when layers are unpacked). userxattr: the whiteouts and opaque markers are user.*.
 */
export async function mountImageRoot(holderPid: number, dirs: ImageRootDirs): Promise<void> {
  for (const path of [dirs.upper, dirs.work, dirs.merged]) await mkdir(path, { recursive: true });
  const { base, options } = imageRootOptions(dirs);
  // Run in `base`, which the layers are named relative to (see overlayMount).
  const argv = [
    ...enterPrefix(holderPid),
    "sh",
    "-c",
    'cd "$1" && exec mount -t overlay overlay -o "$2" "$3"',
    "sh",
    base,
    options,
    dirs.merged,
  ];
  const stderr = await new Promise<string | null>((resolve) => {
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
    child.on("error", (error) => resolve(error.message));
    child.on("close", (code) => resolve(code === 0 ? null : err.trim() || `exit ${code}`));
  });
  if (stderr !== null) throw new SandboxError("sandbox_error", `could not mount the image's layers: ${stderr}`);
}

/** The image root's overlay options: read-only layers, an upper only for mount points, nothing that escalates. */
function imageRootOptions(dirs: ImageRootDirs): { base: string; options: string } {
  assertLayerPath(dirs.merged);
  const mount = overlayMount({ lowers: dirs.layers, upper: dirs.upper, work: dirs.work });
  // The kernel takes mount options up to a page.
  if (mount.options.length > 4000)
    throw new SandboxError(
      "setup_failed",
      `the image has too many layers (${dirs.layers.length}) for one overlay mount; flatten it`,
    );
  return mount;
}

/**
 * bubblewrap's system part when the root is an image: the image's whole tree as /, with the few
 * files Cadre provides on top (DNS and hosts from the runner, CA certificates when the image has
 * none). The caller adds /proc, /dev, /tmp, HOME, /workspace and the sandbox user's passwd/group.
 */
export function imageRootBinds(root: { merged: string; hostCaCertificates: boolean }): string[] {
  return [
    "--bind",
    root.merged,
    "/",
    "--ro-bind-try",
    "/etc/resolv.conf",
    "/etc/resolv.conf",
    "--ro-bind-try",
    "/etc/hosts",
    "/etc/hosts",
    ...(root.hostCaCertificates ? ["--ro-bind-try", "/etc/ssl/certs", "/etc/ssl/certs"] : []),
  ];
}
