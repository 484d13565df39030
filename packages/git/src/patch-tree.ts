import { join } from "node:path";
import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { resolveCommit } from "./refs.ts";
import { withTempDir } from "./temp-dir.ts";

/**
 * The tree of `base` with `patch` applied, without a work tree: a temporary index is read from
 * the base, `git apply --cached` takes the patch, and the index is written as a tree. Nothing
 * else in the repository changes (no ref, no index of its own). A patch that does not apply
 * cleanly throws CadreError("conflict") naming git's reason.
 */
export async function treeWithPatch(gitDir: string, base: string, patch: string): Promise<string> {
  const commit = await resolveCommit(gitDir, base);
  return withTempDir("patch-tree", async (tmp) => {
    const env = { GIT_INDEX_FILE: join(tmp, "index") };
    await runGitIn(gitDir, ["read-tree", "--end-of-options", commit], { env });
    const applied = await runGitIn(gitDir, ["apply", "--cached", "--whitespace=nowarn"], {
      env,
      input: patch,
      okCodes: [0, 1, 128],
    });
    if (applied.code !== 0) {
      const reason = applied.stderr.trim().split("\n").filter(Boolean).pop() ?? `exit code ${applied.code}`;
      throw new CadreError("conflict", `the selected hunks do not apply to ${commit.slice(0, 12)}: ${reason}`);
    }
    return (await runGitIn(gitDir, ["write-tree"], { env })).stdout.toString("utf8").trim();
  });
}
