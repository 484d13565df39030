import { lstat, readlink } from "node:fs/promises";
import { posix } from "node:path";
import { SandboxError } from "./types.ts";

/** Where the workspace is mounted inside the sandbox; absolute symlinks are read against it. */
export const SANDBOX_WORKSPACE = "/workspace";

/** Splits a workspace-relative path, refusing absolute paths, `..` and NUL bytes. */
export function splitWorkspacePath(rel: string): string[] {
  if (rel.includes("\0")) throw new SandboxError("sandbox_error", `invalid path ${JSON.stringify(rel)}: NUL byte`);
  if (rel.startsWith("/"))
    throw new SandboxError("sandbox_error", `path ${rel} is absolute; give a path relative to the workspace root`);
  const parts = rel.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes(".."))
    throw new SandboxError("sandbox_error", `path ${rel} contains '..'; paths must stay inside the workspace`);
  return parts;
}

/**
 * Resolves a workspace-relative path to a host path under `root`, following symlinks the way
 * the sandbox would see them (absolute targets are relative to /workspace) and refusing any
 * that leave the workspace. Returns the relative parts of the resolved location.
 */
export async function resolveWorkspacePath(root: string, rel: string, followFinal: boolean): Promise<string[]> {
  const pending = splitWorkspacePath(rel);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const name = pending.shift() as string;
    const candidate = [...done, name];
    const isFinal = pending.length === 0;
    let target: string | null = null;
    try {
      const info = await lstat(posix.join(root, ...candidate));
      if (info.isSymbolicLink() && (!isFinal || followFinal)) target = await readlink(posix.join(root, ...candidate));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    if (target === null) {
      done.push(name);
      continue;
    }
    if (++hops > 40) throw new SandboxError("sandbox_error", `path ${rel}: too many levels of symbolic links`);
    let base: string;
    if (target.startsWith("/")) {
      const normalized = posix.normalize(target);
      if (normalized !== SANDBOX_WORKSPACE && !normalized.startsWith(SANDBOX_WORKSPACE + "/")) {
        throw new SandboxError("sandbox_error", `path ${rel} is a symlink to ${target}, outside the workspace`);
      }
      base = normalized.slice(SANDBOX_WORKSPACE.length);
    } else {
      base = posix.normalize(posix.join("/", ...done, target));
      if (!insideAfterNormalize(done, target)) {
        throw new SandboxError("sandbox_error", `path ${rel} is a symlink that leaves the workspace`);
      }
    }
    done.length = 0;
    pending.unshift(...base.split("/").filter((p) => p !== "" && p !== "."));
  }
  return done;
}

/** Whether a relative link target, applied from `dir`, never climbs above the workspace root. */
function insideAfterNormalize(dir: string[], target: string): boolean {
  let depth = dir.length;
  for (const part of target.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      depth -= 1;
      if (depth < 0) return false;
    } else depth += 1;
  }
  return true;
}
