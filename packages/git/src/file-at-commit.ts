import { InvariantError } from "@cadre/protocol";
import { assertSafeRef } from "./safety.ts";
import { runGit } from "./run-git.ts";

/**
 * The contents of one file at a commit of a repository (a blob at `<commit>:<path>`), or null when
 * the commit has no such file. `path` is the caller's constant, never user text.
 */
export async function fileAtCommit(gitDir: string, commit: string, path: string): Promise<string | null> {
  assertSafeRef(commit);
  if (path.startsWith("-") || path.includes("\0"))
    throw new InvariantError(`not a repository path: ${JSON.stringify(path)}`);
  const result = await runGit(["--git-dir", gitDir, "cat-file", "-p", `${commit}:${path}`], { okCodes: [0, 128] });
  return result.code === 0 ? result.stdout.toString("utf8") : null;
}
