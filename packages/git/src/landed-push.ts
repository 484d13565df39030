import { runGitIn } from "./git-dir.ts";
import { isFullObjectId } from "./safety.ts";

/** The remote's commit at a full ref, or null when it has no such ref (or could not be asked). */
async function remoteCommit(
  gitDir: string,
  remote: string,
  dst: string,
  env: Record<string, string>,
): Promise<string | null> {
  const listed = await runGitIn(gitDir, ["ls-remote", remote, dst], { env, okCodes: [0, 1, 2, 128] });
  if (listed.code !== 0) return null;
  for (const line of listed.stdout.toString("utf8").split("\n")) {
    const [sha, ref] = line.split("\t");
    if (ref === dst && sha && isFullObjectId(sha)) return sha;
  }
  return null;
}

/** A commit but for its dates (tree, parents, author, committer, message), or null when the repository lacks it. */
async function shapeOf(gitDir: string, commit: string): Promise<string | null> {
  const format = "--format=%T %P%n%an <%ae>%n%cn <%ce>%n%B";
  const shown = await runGitIn(gitDir, ["show", "-s", format, "--end-of-options", commit], {
    okCodes: [0, 128],
  });
  return shown.code === 0 ? shown.stdout.toString("utf8").trim() : null;
}

/**
 * Whether a remote's ref already holds what a refused push carried: the very commit, or the same
 * change committed again (see `sameChange`), as when a server died after its push landed and
 * before it recorded so, and made the commit anew. Returns the remote's commit then, else null.
 * Fetches the remote's commit (without moving any ref) when the repository lacks it.
 */
export async function landedAlready(input: {
  gitDir: string;
  remote: string;
  dst: string;
  commit: string;
  env: Record<string, string>;
}): Promise<string | null> {
  const { gitDir, remote, dst, env } = input;
  const theirs = await remoteCommit(gitDir, remote, dst, env);
  if (!theirs) return null;
  if (theirs === input.commit) return theirs;
  let shape = await shapeOf(gitDir, theirs);
  if (shape === null) {
    await runGitIn(gitDir, ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", remote, dst], {
      env,
      okCodes: [0, 1, 128],
    });
    shape = await shapeOf(gitDir, theirs);
  }
  return shape !== null && (await sameChange(gitDir, theirs, input.commit)) ? theirs : null;
}

/**
 * Whether two commits of a repository are the same change committed twice: the same tree on the
 * same parents, by the same author and committer, with the same message; only their dates differ.
 * (Cadre's delivered commits are made the same way each time, so a remade one matches.)
 */
export async function sameChange(gitDir: string, one: string, other: string): Promise<boolean> {
  if (one === other) return true;
  const [first, second] = await Promise.all([shapeOf(gitDir, one), shapeOf(gitDir, other)]);
  return first !== null && first === second;
}
