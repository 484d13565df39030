import { CadreError } from "@cadre/protocol";
import { commitTree, treeOf } from "./commit-changes.ts";
import { gitTextIn, runGitIn, splitNul } from "./git-dir.ts";
import { identityEnv, type GitIdentity } from "./identity.ts";
import { isAncestor, resolveCommit } from "./refs.ts";
import { runGit } from "./run-git.ts";

export interface MergeTreeResult {
  clean: boolean;
  /** The merged tree; with conflicts it holds conflict markers. */
  tree: string;
  conflictPaths: string[];
}

let mergeBaseOption: Promise<boolean> | null = null;

/** Whether this git's `merge-tree` has `--merge-base` (git ≥ 2.40). */
export function mergeTreeSupportsMergeBase(): Promise<boolean> {
  mergeBaseOption ??= runGit(["merge-tree", "-h"], { okCodes: [0, 129] })
    .then((r) => `${r.stdout.toString("utf8")}${r.stderr}`.includes("--merge-base"))
    .catch(() => false);
  return mergeBaseOption;
}

/** Fixed identity and date for helper commits, so the same inputs give the same objects. */
const SYNTHETIC_ENV = identityEnv({ name: "Cadre", email: "cadre@localhost" }, undefined, "@0 +0000");

async function syntheticCommit(gitDir: string, tree: string, parents: string[]): Promise<string> {
  const args = ["commit-tree", "--no-gpg-sign", ...parents.flatMap((p) => ["-p", p]), tree];
  return (await runGitIn(gitDir, args, { input: "cadre merge helper\n", env: SYNTHETIC_ENV })).stdout
    .toString("utf8")
    .trim();
}

/**
 * Three-way merge of two commits into a tree, without a work tree or index.
 * With `mergeBase`, that commit is used as the only base. git 2.39's merge-tree lacks
 * `--merge-base`; there, two helper commits with the trees of `ours` and `theirs` and one shared
 * parent holding the base's tree are merged instead, which is the same three-way merge.
 */
const FULL_SHA = /^[0-9a-f]{40}$/;

export async function mergeTree(
  gitDir: string,
  ours: string,
  theirs: string,
  mergeBase?: string,
): Promise<MergeTreeResult> {
  // Full object names need no lookup: callers with shas in hand (the conflict matrix) save a spawn each.
  const resolve = (ref: string) => (FULL_SHA.test(ref) ? Promise.resolve(ref) : resolveCommit(gitDir, ref));
  const [o, t, b] = await Promise.all([
    resolve(ours),
    resolve(theirs),
    mergeBase === undefined ? Promise.resolve(undefined) : resolve(mergeBase),
  ]);
  let left = o;
  let right = t;
  const args = ["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z"];
  if (b !== undefined) {
    if (await mergeTreeSupportsMergeBase()) args.push(`--merge-base=${b}`);
    else {
      const [bt, ot, tt] = await Promise.all([treeOf(gitDir, b), treeOf(gitDir, o), treeOf(gitDir, t)]);
      const root = await syntheticCommit(gitDir, bt, []);
      [left, right] = await Promise.all([syntheticCommit(gitDir, ot, [root]), syntheticCommit(gitDir, tt, [root])]);
    }
  } else {
    args.push("--allow-unrelated-histories");
  }
  const res = await runGitIn(gitDir, [...args, "--end-of-options", left, right], { okCodes: [0, 1] });
  const [tree, ...paths] = splitNul(res.stdout);
  if (!tree || !/^[0-9a-f]{40,64}$/.test(tree))
    throw new CadreError("git_failed", `merge-tree gave no tree: ${res.stderr.trim()}`);
  const conflictPaths = [...new Set(paths.filter(Boolean))].sort();
  return { clean: res.code === 0, tree, conflictPaths };
}

export interface MergeCommitInput {
  gitDir: string;
  targetCommit: string;
  attemptCommit: string;
  message: string;
  author?: GitIdentity;
  committer?: GitIdentity;
  /** Default true: when the target is an ancestor of the attempt, return the attempt itself. */
  allowFastForward?: boolean;
}

export interface MergeCommitResult {
  clean: boolean;
  /** The merge commit, the fast-forwarded attempt, or the target when nothing was to merge. */
  commit?: string;
  conflictPaths: string[];
  fastForward: boolean;
}

/**
 * Merges an attempt into a target commit, creating a merge commit (or fast-forwarding) without
 * moving any ref. On conflicts returns `clean: false` and the conflicting paths, and no commit.
 */
export async function mergeCommit(input: MergeCommitInput): Promise<MergeCommitResult> {
  const { gitDir } = input;
  const [target, attempt] = await Promise.all([
    resolveCommit(gitDir, input.targetCommit),
    resolveCommit(gitDir, input.attemptCommit),
  ]);
  if (await isAncestor(gitDir, attempt, target))
    return { clean: true, commit: target, conflictPaths: [], fastForward: false };
  if (input.allowFastForward !== false && (await isAncestor(gitDir, target, attempt))) {
    return { clean: true, commit: attempt, conflictPaths: [], fastForward: true };
  }
  const merged = await mergeTree(gitDir, target, attempt);
  if (!merged.clean) return { clean: false, conflictPaths: merged.conflictPaths, fastForward: false };
  const commit = await commitTree(gitDir, {
    tree: merged.tree,
    parents: [target, attempt],
    message: input.message,
    author: input.author,
    committer: input.committer,
  });
  return { clean: true, commit, conflictPaths: [], fastForward: false };
}

export interface RebaseCommitInput {
  gitDir: string;
  /** The commit whose changes (relative to oldBase) are replayed. */
  commit: string;
  oldBase: string;
  newBase: string;
  /** Defaults to the commit's message. */
  message?: string;
  /** Defaults to the commit's author. */
  author?: GitIdentity;
  committer?: GitIdentity;
}

export interface RebaseCommitResult {
  clean: boolean;
  /** The replayed commit (parent newBase); `commit` itself when the base did not move; newBase when nothing is left to apply. */
  commit?: string;
  conflictPaths: string[];
}

async function commitInfo(
  gitDir: string,
  commit: string,
): Promise<{ author: GitIdentity; date: string; message: string }> {
  const out = await gitTextIn(gitDir, [
    "show",
    "-s",
    "--no-show-signature",
    "--format=%an%x00%ae%x00%ad%x00%B",
    "--date=raw",
    commit,
  ]);
  const [name = "", email = "", date = "", ...rest] = out.split("\0");
  return { author: { name, email }, date, message: rest.join("\0").replace(/\n+$/, "\n") };
}

/**
 * Replays the changes `oldBase..commit` onto `newBase` as one commit (a squashed rebase), keeping
 * the commit's message and author unless given. Moves no ref.
 */
export async function rebaseCommit(input: RebaseCommitInput): Promise<RebaseCommitResult> {
  const { gitDir } = input;
  const [commit, oldBase, newBase] = await Promise.all([
    resolveCommit(gitDir, input.commit),
    resolveCommit(gitDir, input.oldBase),
    resolveCommit(gitDir, input.newBase),
  ]);
  if (oldBase === newBase) return { clean: true, commit, conflictPaths: [] };
  const merged = await mergeTree(gitDir, newBase, commit, oldBase);
  if (!merged.clean) return { clean: false, conflictPaths: merged.conflictPaths };
  if (merged.tree === (await treeOf(gitDir, newBase))) return { clean: true, commit: newBase, conflictPaths: [] };
  const info = await commitInfo(gitDir, commit);
  // The original author (verbatim, with date) unless one is given; Cadre (or `committer`) commits.
  const env = input.author
    ? identityEnv(input.author, input.committer)
    : {
        ...identityEnv(undefined, input.committer),
        GIT_AUTHOR_NAME: info.author.name,
        GIT_AUTHOR_EMAIL: info.author.email,
        GIT_AUTHOR_DATE: info.date,
      };
  const message = input.message ?? info.message;
  const res = await runGitIn(gitDir, ["commit-tree", "--no-gpg-sign", "-p", newBase, merged.tree], {
    input: message.endsWith("\n") ? message : `${message}\n`,
    env,
  });
  return { clean: true, commit: res.stdout.toString("utf8").trim(), conflictPaths: [] };
}
