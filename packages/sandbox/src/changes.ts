import type { Stats } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { spawn } from "node:child_process";
import type { WorkspaceChange } from "./types.ts";

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
  gitEntry: string[];
  /** The merged tree's path as git sees it after `gitEntry`. */
  gitWorkTree: string;
}

const isWhiteout = (s: Stats): boolean => s.isCharacterDevice() && s.rdev === 0;

async function lstatOrNull(path: string): Promise<Stats | null> {
  return lstat(path).catch(() => null);
}

/**
 * The attempt's changes against its base commit. Only paths under the attempt's upper layer
 * can differ from what the environment provided (base + setup), so only they are examined;
 * deletions are base paths missing from the merged view (whiteouts and opaque directories
 * both show up that way). New paths that the repository ignores (node_modules and the like,
 * typically the setup script's output) are not changes. `.git/` is never a change.
 */
export async function scanChanges(input: ChangeScanInput): Promise<WorkspaceChange[]> {
  const upserts: { path: string; mode: "100644" | "100755" | "120000"; inBase: boolean }[] = [];
  const deletes = new Set<string>();

  const lowerOf = async (rel: string): Promise<{ path: string; st: Stats } | null> => {
    if (input.setup) {
      const p = join(input.setup, rel);
      const st = await lstatOrNull(p);
      if (st && isWhiteout(st)) return null;
      if (st) return { path: p, st };
    }
    const p = join(input.base, rel);
    const st = await lstatOrNull(p);
    return st ? { path: p, st } : null;
  };

  const addBaseFiles = async (rel: string): Promise<void> => {
    const st = await lstatOrNull(join(input.base, rel));
    if (!st) return;
    if (!st.isDirectory()) {
      deletes.add(rel);
      return;
    }
    for (const e of await readdir(join(input.base, rel))) await addBaseFiles(join(rel, e));
  };

  const walk = async (rel: string): Promise<void> => {
    const entries = await readdir(join(input.upper, rel)).catch(() => [] as string[]);
    for (const name of entries) {
      if (rel === "" && name === ".git") continue;
      const p = rel === "" ? name : join(rel, name);
      const st = await lstat(join(input.upper, p));
      if (isWhiteout(st)) continue;
      if (st.isDirectory()) {
        await walk(p);
        continue;
      }
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      const mode = st.isSymbolicLink() ? "120000" : (st.mode & 0o111) !== 0 ? "100755" : "100644";
      const lower = await lowerOf(p);
      if (lower && (await sameEntry(join(input.upper, p), st, lower.path, lower.st))) continue;
      upserts.push({ path: p, mode, inBase: (await lstatOrNull(join(input.base, p))) !== null });
    }
    const baseDir = await lstatOrNull(join(input.base, rel));
    if (!baseDir?.isDirectory()) return;
    for (const name of await readdir(join(input.base, rel))) {
      if (rel === "" && name === ".git") continue;
      const p = rel === "" ? name : join(rel, name);
      const seen = await lstatOrNull(join(input.merged, p));
      const was = await lstat(join(input.base, p));
      if (!seen || (was.isDirectory() && !seen.isDirectory())) await addBaseFiles(p);
      else if (!was.isDirectory() && seen.isDirectory()) deletes.add(p);
    }
  };

  await walk("");
  const ignored = await ignoredPaths(
    input,
    upserts.filter((u) => !u.inBase).map((u) => u.path),
  );
  const changes: WorkspaceChange[] = [];
  for (const u of upserts) {
    if (!u.inBase && ignored.has(u.path)) continue;
    changes.push({ kind: "upsert", path: u.path, hostPath: join(input.upper, u.path), mode: u.mode });
  }
  for (const d of deletes) changes.push({ kind: "delete", path: d });
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function sameEntry(aPath: string, a: Stats, bPath: string, b: Stats): Promise<boolean> {
  if (a.isSymbolicLink() !== b.isSymbolicLink() || a.isFile() !== b.isFile()) return false;
  if (a.isSymbolicLink()) return (await readlink(aPath)) === (await readlink(bPath));
  if (((a.mode & 0o111) !== 0) !== ((b.mode & 0o111) !== 0) || a.size !== b.size) return false;
  // Copies keep mtimes, so equal size and mtime means untouched; otherwise compare contents.
  if (a.mtimeMs === b.mtimeMs) return true;
  return (await readFile(aPath)).equals(await readFile(bPath));
}

/** Which of the given new paths the repository's ignore rules (as in the workspace) exclude. */
async function ignoredPaths(input: ChangeScanInput, paths: string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const argv = [
    ...input.gitEntry,
    "git",
    "--git-dir",
    join(input.base, ".git"),
    "--work-tree",
    input.gitWorkTree,
    "check-ignore",
    "-z",
    "--stdin",
  ];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ["pipe", "pipe", "pipe"],
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_CONFIG_GLOBAL: "/dev/null",
        HOME: "/nonexistent",
      },
    });
    const chunks: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (b: Buffer) => chunks.push(b));
    child.stderr.on("data", (b: Buffer) => (err += b.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 || code === 1
        ? resolve(Buffer.concat(chunks).toString("utf8"))
        : reject(new Error(`git check-ignore failed: ${err.trim()}`)),
    );
    child.stdin.end(paths.join("\0") + "\0");
  });
  return new Set(out.split("\0").filter(Boolean));
}
