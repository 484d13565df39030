import { localChangePatch, workTreeRoot, type LocalChangeSource } from "@cadre/git";
import { CadreError } from "@cadre/protocol";

export type DiffSource = LocalChangeSource;

function describe(source: DiffSource): string {
  if (source.kind === "staged") return "the staged changes about to be committed";
  if (source.kind === "base") return `the changes since ${source.ref}`;
  return "the uncommitted changes";
}

/** The local change to review, as a git patch, with a short description of what it is. */
export async function localDiff(
  cwd: string,
  source: DiffSource,
): Promise<{ root: string; diff: string; what: string }> {
  if (source.kind === "base" && source.ref.startsWith("-"))
    throw new CadreError("bad_request", `--base must be a branch, tag or commit, not ${JSON.stringify(source.ref)}`);
  const root = await workTreeRoot(cwd);
  return { root, diff: await localChangePatch(root, source), what: describe(source) };
}
