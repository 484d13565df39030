import { runGit, workTreeRoot } from "@cadre/git";
import { CadreError } from "@cadre/protocol";

export type DiffSource = { kind: "staged" } | { kind: "base"; ref: string } | { kind: "work-tree" };

const DIFF_FLAGS = ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames"];

/** Resolves a user-given ref to a commit without letting it become an option. */
async function commitOf(root: string, ref: string): Promise<string> {
  if (ref.startsWith("-"))
    throw new CadreError("bad_request", `--base must be a branch, tag or commit, not ${JSON.stringify(ref)}`);
  const res = await runGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], {
    cwd: root,
    okCodes: [0, 1, 128],
  });
  const sha = res.stdout.toString("utf8").trim();
  if (res.code !== 0 || !sha)
    throw new CadreError(
      "bad_request",
      `--base ${ref} is not a commit in this repository: fetch it first or pass another ref`,
    );
  return sha;
}

/** The local change to review, as a git patch, with a short description of what it is. */
export async function localDiff(
  cwd: string,
  source: DiffSource,
): Promise<{ root: string; diff: string; what: string }> {
  const root = await workTreeRoot(cwd);
  if (source.kind === "staged") {
    const res = await runGit([...DIFF_FLAGS, "--cached"], { cwd: root });
    return { root, diff: res.stdout.toString("utf8"), what: "the staged changes about to be committed" };
  }
  if (source.kind === "base") {
    const base = await commitOf(root, source.ref);
    // The merge base, as in a pull request: the branch's own changes, not upstream's since.
    const mb = await runGit(["merge-base", base, "HEAD"], { cwd: root, okCodes: [0, 1] });
    const from = mb.stdout.toString("utf8").trim() || base;
    const res = await runGit([...DIFF_FLAGS, from], { cwd: root });
    return { root, diff: res.stdout.toString("utf8"), what: `the changes since ${source.ref}` };
  }
  const head = await runGit(["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: root, okCodes: [0, 1] });
  const res =
    head.code === 0
      ? await runGit([...DIFF_FLAGS, "HEAD"], { cwd: root })
      : await runGit([...DIFF_FLAGS, "--cached"], { cwd: root });
  return { root, diff: res.stdout.toString("utf8"), what: "the uncommitted changes" };
}
