import type { Stats } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { displayPath, ignoredPaths, toGitPath, unstorablePathReason, type FileMode } from "@cadre/git";
import { hostPathOf } from "./host-path.ts";
import type { SkippedPath, WorkspaceChange, WorkspaceChanges } from "./types.ts";

export interface ChangeScanInput {
  /** Where the attempt's own writes are: the overlay upper dir (or the whole tree for worktrees). */
  upper: string;
  /** The workspace as the sandbox sees it (the merged overlay). */
  merged: string;
  /** The environment's setup result: an overlay upper over `base`, or a full tree (worktrees). */
  setup: string | null;
  /** The base checkout (a standalone repository). */
  base: string;
  /**
   * How to run git where the merged tree is mounted: git resolves its work tree with realpath,
   * which would turn a /proc/<pid>/root path back into the empty host directory.
   */
  gitPrefix: string[];
  /** The merged tree's path as git sees it after `gitPrefix`. */
  gitWorkTree: string;
}

/** Where a directory of the scan also exists as a real directory (reached through no link) below it. */
interface LowerDirs {
  setup: boolean;
  base: boolean;
}

interface Upsert {
  rel: Buffer;
  mode: FileMode;
  inBase: boolean;
}

const DOT_GIT = Buffer.from(".git");
const isWhiteout = (s: Stats): boolean => s.isCharacterDevice() && s.rdev === 0;

async function lstatOrNull(path: Buffer): Promise<Stats | null> {
  return lstat(path).catch(() => null);
}

function join(rel: Buffer, name: Buffer): Buffer {
  return rel.length === 0 ? name : Buffer.concat([rel, Buffer.from("/"), name]);
}

async function names(dir: Buffer): Promise<Buffer[]> {
  return readdir(dir, { encoding: "buffer" }).catch(() => [] as Buffer[]);
}

/**
 * The attempt's changes against its base commit. Only paths under the attempt's upper layer can
 * differ from what the environment provided (base + setup), so only they are examined; deletions
 * are base paths missing from the merged view (whiteouts and opaque directories both show up that
 * way). Names are handled as bytes, so any name git can store is a change as it is. New paths the
 * repository ignores (node_modules and the like) are not changes; `.git/` is never one. A directory
 * holding its own `.git` (a nested clone) and names git refuses are skipped and reported. Lower
 * layers are only read through real directories, never through a link.
 */
export async function scanChanges(input: ChangeScanInput): Promise<WorkspaceChanges> {
  const upserts: Upsert[] = [];
  const deletes = new Map<string, Buffer>();
  const skipped: SkippedPath[] = [];

  const lowerOf = async (rel: Buffer, dirs: LowerDirs): Promise<{ path: Buffer; st: Stats } | null> => {
    if (input.setup && dirs.setup) {
      const path = hostPathOf(input.setup, rel);
      const st = await lstatOrNull(path);
      if (st && isWhiteout(st)) return null;
      if (st) return { path, st };
    }
    if (!dirs.base) return null;
    const path = hostPathOf(input.base, rel);
    const st = await lstatOrNull(path);
    return st ? { path, st } : null;
  };

  const addDelete = (rel: Buffer): void => void deletes.set(rel.toString("latin1"), rel);

  const addBaseFiles = async (rel: Buffer): Promise<void> => {
    const st = await lstatOrNull(hostPathOf(input.base, rel));
    if (!st) return;
    if (!st.isDirectory()) return addDelete(rel);
    for (const name of await names(hostPathOf(input.base, rel))) await addBaseFiles(join(rel, name));
  };

  const lowerDirsOf = async (rel: Buffer, parent: LowerDirs): Promise<LowerDirs> => ({
    setup: Boolean(input.setup && parent.setup && (await lstatOrNull(hostPathOf(input.setup, rel)))?.isDirectory()),
    base: parent.base && Boolean((await lstatOrNull(hostPathOf(input.base, rel)))?.isDirectory()),
  });

  const visitEntry = async (rel: Buffer, dirs: LowerDirs): Promise<void> => {
    const st = await lstat(hostPathOf(input.upper, rel));
    if (isWhiteout(st)) return;
    const shown = displayPath(toGitPath(rel));
    if (st.isDirectory()) {
      // A directory git cannot name is left out whole, with one notice rather than one per file.
      const refused = unstorablePathReason(rel, "100644");
      if (refused) return void skipped.push({ path: shown, kind: "unstorable_name", reason: refused });
      if (await lstatOrNull(hostPathOf(input.merged, join(rel, DOT_GIT))))
        return void skipped.push({ path: shown, kind: "nested_repository", reason: "a git repository of its own" });
      return walk(rel, await lowerDirsOf(rel, dirs));
    }
    if (!st.isFile() && !st.isSymbolicLink()) return;
    const mode: FileMode = st.isSymbolicLink() ? "120000" : (st.mode & 0o111) !== 0 ? "100755" : "100644";
    const refused = unstorablePathReason(rel, mode);
    if (refused) return void skipped.push({ path: shown, kind: "unstorable_name", reason: refused });
    const lower = await lowerOf(rel, dirs);
    if (lower && (await sameEntry(hostPathOf(input.upper, rel), st, lower.path, lower.st))) return;
    const inBase = dirs.base && (await lstatOrNull(hostPathOf(input.base, rel))) !== null;
    upserts.push({ rel, mode, inBase });
  };

  const walk = async (rel: Buffer, dirs: LowerDirs): Promise<void> => {
    for (const name of await names(hostPathOf(input.upper, rel))) {
      if (rel.length === 0 && name.equals(DOT_GIT)) continue;
      await visitEntry(join(rel, name), dirs);
    }
    if (!dirs.base) return;
    for (const name of await names(hostPathOf(input.base, rel))) {
      if (rel.length === 0 && name.equals(DOT_GIT)) continue;
      const path = join(rel, name);
      const seen = await lstatOrNull(hostPathOf(input.merged, path));
      const was = await lstat(hostPathOf(input.base, path));
      if (!seen || (was.isDirectory() && !seen.isDirectory())) await addBaseFiles(path);
      else if (!was.isDirectory() && seen.isDirectory()) addDelete(path);
    }
  };

  await walk(Buffer.alloc(0), { setup: input.setup !== null, base: true });
  const fresh = upserts.filter((u) => !u.inBase);
  const ignored = await ignoredPaths({
    gitDir: `${input.base}/.git`,
    workTree: input.gitWorkTree,
    paths: fresh.map((u) => u.rel),
    prefix: input.gitPrefix,
  });
  const ignoredSet = new Set(fresh.filter((_, i) => ignored[i]));
  const changes: WorkspaceChange[] = [];
  for (const u of upserts) {
    if (ignoredSet.has(u)) continue;
    changes.push({ kind: "upsert", path: toGitPath(u.rel), hostPath: hostPathOf(input.upper, u.rel), mode: u.mode });
  }
  for (const rel of deletes.values()) changes.push({ kind: "delete", path: toGitPath(rel) });
  return { changes: changes.sort(byPath), skipped };
}

/** git's order: by the bytes of the path. */
function byPath(a: WorkspaceChange, b: WorkspaceChange): number {
  return Buffer.compare(Buffer.from(a.path), Buffer.from(b.path));
}

async function sameEntry(aPath: Buffer, a: Stats, bPath: Buffer, b: Stats): Promise<boolean> {
  if (a.isSymbolicLink() !== b.isSymbolicLink() || a.isFile() !== b.isFile()) return false;
  if (a.isSymbolicLink())
    return (await readlink(aPath, { encoding: "buffer" })).equals(await readlink(bPath, { encoding: "buffer" }));
  if (((a.mode & 0o111) !== 0) !== ((b.mode & 0o111) !== 0) || a.size !== b.size) return false;
  // Copies keep mtimes, so equal size and mtime means untouched; otherwise compare contents.
  if (a.mtimeMs === b.mtimeMs) return true;
  return (await readFile(aPath)).equals(await readFile(bPath));
}
