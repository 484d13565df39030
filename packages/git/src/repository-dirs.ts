import { dirname } from "node:path";
import { runGit } from "./run-git.ts";

export type RepositoryDirs = { ok: true; gitDir: string; commonDir: string } | { ok: false; reason: string };

/**
 * Where the repository at `path` keeps its data, as git finds it there: its git directory (for a
 * linked worktree, the worktree's own) and its common directory (objects and refs: what a push
 * writes to). Discovery never climbs above `path`, so a folder inside some other repository is
 * not taken for it.
 */
export async function repositoryDirs(path: string): Promise<RepositoryDirs> {
  const result = await runGit(["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir"], {
    cwd: path,
    env: { GIT_CEILING_DIRECTORIES: dirname(path) },
    okCodes: [0, 128],
  }).catch((error: Error) => ({ code: -1, stdout: Buffer.alloc(0), stderr: error.message }));
  const [gitDir, commonDir] = result.stdout.toString("utf8").trim().split("\n");
  if (result.code !== 0 || !gitDir || !commonDir)
    return { ok: false, reason: result.stderr.trim().split("\n")[0] || "git found no repository there" };
  return { ok: true, gitDir, commonDir };
}
