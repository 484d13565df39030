import { isAbsolute, join } from "node:path";
import { CadreError } from "@cadre/protocol";
import { runGit } from "./run-git.ts";

/** Which local change of a work tree: the staged one, everything since a ref's merge base, or all uncommitted. */
export type LocalChangeSource = { kind: "staged" } | { kind: "base"; ref: string } | { kind: "work-tree" };

const DIFF_FLAGS = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames"];

/** A user-given ref resolved to a commit of the work tree at `root`, or null; it can never become an option. */
export async function localCommitOf(root: string, ref: string): Promise<string | null> {
  if (ref.startsWith("-")) return null;
  const result = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], {
    cwd: root,
    okCodes: [0, 1, 128],
  });
  const sha = result.stdout.toString("utf8").trim();
  return result.code === 0 && sha ? sha : null;
}

/** The commit HEAD points at, or null on an unborn branch. */
export async function localHead(root: string): Promise<string | null> {
  const result = await runGit(["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: root, okCodes: [0, 1] });
  const sha = result.stdout.toString("utf8").trim();
  return result.code === 0 && sha ? sha : null;
}

/** The current branch's upstream as `remote/branch`, or null when it has none. */
export async function localUpstream(root: string): Promise<string | null> {
  const result = await runGit(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], {
    cwd: root,
    okCodes: [0, 128],
  });
  const upstream = result.stdout.toString("utf8").trim();
  return result.code === 0 && upstream ? upstream : null;
}

/** The directory git uses for `name` in this clone (`hooks`: honours core.hooksPath and worktrees). */
export async function localGitPath(root: string, name: "hooks"): Promise<string> {
  const result = await runGit(["rev-parse", "--git-path", name], { cwd: root });
  const path = result.stdout.toString("utf8").trim();
  return isAbsolute(path) ? path : join(root, path);
}

/** A local change of the work tree at `root` as a git patch. */
export async function localChangePatch(root: string, source: LocalChangeSource): Promise<string> {
  const diff = async (...args: string[]): Promise<string> =>
    (await runGit([...DIFF_FLAGS, ...args], { cwd: root })).stdout.toString("utf8");
  if (source.kind === "staged") return diff("--cached");
  if (source.kind === "base") {
    const base = await localCommitOf(root, source.ref);
    if (!base)
      throw new CadreError(
        "bad_request",
        `--base ${source.ref} is not a commit in this repository: fetch it first or pass another ref`,
      );
    // The merge base, as in a pull request: the branch's own changes, not upstream's since.
    const mergeBase = await runGit(["merge-base", base, "HEAD"], { cwd: root, okCodes: [0, 1] });
    return diff(mergeBase.stdout.toString("utf8").trim() || base);
  }
  return (await localHead(root)) ? diff("HEAD") : diff("--cached");
}

/** A file's text at a full commit id, read in a work tree; null when the commit has no such file. */
export async function localFileAt(root: string, commit: string, path: string): Promise<string | null> {
  if (!/^[0-9a-f]{40,64}$/.test(commit)) return null;
  const result = await runGit(["--literal-pathspecs", "cat-file", "blob", `${commit}:${path}`], {
    cwd: root,
    okCodes: [0, 1, 128],
  });
  return result.code === 0 ? result.stdout.toString("utf8") : null;
}
