import { lstat, mkdir, open, rm, symlink } from "node:fs/promises";
import {
  diffTreeEntries,
  displayPath,
  readBlobs,
  unstorablePathReason,
  type FileMode,
  type TreeDiffEntry,
} from "@cadre/git";
import { hostPathOf, joinComponents, pathComponents } from "./host-path.ts";
import { SandboxError } from "./types.ts";

export interface RestoreInput {
  /** The workspace's root as the host reaches it. */
  root: string;
  mirrorPath: string;
  baseCommit: string;
  restoreCommit: string;
}

/** Blobs read per `cat-file --batch`, so a large checkpoint is not held in memory at once. */
const BLOB_BATCH = 256;

const FILE_MODES: readonly string[] = ["100644", "100755", "120000"];
const isFileMode = (mode: string): mode is FileMode => FILE_MODES.includes(mode);

/**
 * Writes the paths that differ between the base and a checkpoint commit into a workspace
 * (deletions too), read from the mirror, so another runner can resume the attempt. Nothing here
 * follows a symlink: the checkpoint may hold links the agent pointed at host paths, and the host
 * must never delete or write through them. A parent that is a link (or a file) where the
 * checkpoint has a directory is replaced by a real directory; a deletion below a link is already
 * true of the workspace and needs nothing. No sandbox process runs meanwhile, so nothing can swap
 * a checked directory for a link between the check and the write.
 */
export async function restoreCheckpoint(input: RestoreInput): Promise<void> {
  const entries = await diffTreeEntries(input.mirrorPath, input.baseCommit, input.restoreCommit);
  for (const entry of entries) {
    const mode = entry.status === "D" ? "100644" : entry.mode;
    const reason = isFileMode(mode) ? unstorablePathReason(entry.path, mode) : null;
    if (reason)
      throw new SandboxError(
        "sandbox_error",
        `checkpoint ${input.restoreCommit.slice(0, 12)} holds ${JSON.stringify(displayPath(entry.path))}, which cannot be restored: ${reason}`,
      );
  }
  for (let at = 0; at < entries.length; at += BLOB_BATCH) {
    const batch = entries.slice(at, at + BLOB_BATCH);
    const written = batch.filter((e) => e.status !== "D" && isFileMode(e.mode));
    const blobs = await readBlobs(
      input.mirrorPath,
      written.map((e) => e.oid),
    );
    const contents = new Map(written.map((e, i) => [e, blobs[i] as Buffer]));
    for (const entry of batch) await applyEntry(input.root, entry, contents.get(entry));
  }
}

async function applyEntry(root: string, entry: TreeDiffEntry, content: Buffer | undefined): Promise<void> {
  const parts = pathComponents(entry.path);
  if (entry.status === "D") {
    if (await realParents(root, parts))
      await rm(hostPathOf(root, joinComponents(parts)), { recursive: true, force: true });
    return;
  }
  // A submodule has no content to write; other modes the sandbox cannot produce are left alone.
  if (content === undefined) return;
  await makeRealParents(root, parts);
  const target = hostPathOf(root, joinComponents(parts));
  await rm(target, { recursive: true, force: true });
  if (entry.mode === "120000") {
    await symlink(content, target);
    return;
  }
  // "wx" creates a new file and fails on anything already there, a link included.
  const handle = await open(target, "wx", 0o600);
  try {
    await handle.writeFile(content);
    await handle.chmod(entry.mode === "100755" ? 0o755 : 0o644);
  } finally {
    await handle.close();
  }
}

/** Whether every parent of the path is a real directory (not a link, not missing). */
async function realParents(root: string, parts: Buffer[]): Promise<boolean> {
  for (let depth = 1; depth < parts.length; depth++) {
    const info = await lstat(hostPathOf(root, joinComponents(parts.slice(0, depth)))).catch(() => null);
    if (!info?.isDirectory()) return false;
  }
  return true;
}

/** Makes every parent of the path a real directory, replacing links and files on the way. */
async function makeRealParents(root: string, parts: Buffer[]): Promise<void> {
  for (let depth = 1; depth < parts.length; depth++) {
    const dir = hostPathOf(root, joinComponents(parts.slice(0, depth)));
    const info = await lstat(dir).catch(() => null);
    if (info?.isDirectory()) continue;
    if (info) await rm(dir, { force: true });
    await mkdir(dir);
  }
}
