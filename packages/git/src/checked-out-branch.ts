import { isAbsolute } from "node:path";
import { fileURLToPath } from "node:url";
import { splitNul } from "./git-dir.ts";
import { runGit } from "./run-git.ts";
import { assertSafeBranchName, assertSafeRemote } from "./safety.ts";
import { STATUS_ENV } from "./work-tree-status.ts";

export interface CheckedOutBranch {
  /** The work tree that has the branch checked out. */
  workTree: string;
  /** Paths with staged or unstaged changes there (untracked files are not counted). */
  changed: string[];
}

/** The directory of a remote on this machine (an absolute path or a file:// URL), or null. */
export function localRemotePath(remote: string): string | null {
  if (remote.startsWith("file://")) return fileURLToPath(remote);
  return isAbsolute(remote) ? remote : null;
}

/**
 * Where a push to `branch` of `remote` would meet a checked-out work tree: for a local,
 * non-bare repository whose main or linked work tree has the branch checked out, that work
 * tree and its uncommitted changes; null otherwise (a bare repository, a URL, another branch).
 */
export async function checkedOutBranch(remote: string, branch: string): Promise<CheckedOutBranch | null> {
  assertSafeRemote(remote);
  assertSafeBranchName(branch);
  const dir = localRemotePath(remote);
  if (dir === null) return null;
  const list = await runGit(["worktree", "list", "--porcelain", "-z"], {
    cwd: dir,
    env: STATUS_ENV,
    okCodes: [0, 128],
  }).catch(() => null);
  if (!list || list.code !== 0) return null;
  let current: string | null = null;
  let workTree: string | null = null;
  for (const line of splitNul(list.stdout)) {
    if (line.startsWith("worktree ")) current = line.slice("worktree ".length);
    else if (line === "bare") current = null;
    else if (line === `branch refs/heads/${branch}` && current !== null) workTree = current;
  }
  if (workTree === null) return null;
  const status = await runGit(["status", "--porcelain=v1", "-z", "--untracked-files=no", "--ignore-submodules=none"], {
    cwd: workTree,
    env: STATUS_ENV,
  });
  const changed = splitNul(status.stdout)
    .filter((record) => /^[ MADRCTU?!]{2} /.test(record))
    .map((record) => record.slice(3));
  return { workTree, changed: [...new Set(changed)].sort() };
}
