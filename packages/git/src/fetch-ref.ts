import { runGitIn } from "./git-dir.ts";
import { remoteEnv, type RemoteOptions } from "./mirror.ts";
import { tryResolveCommit } from "./refs.ts";
import { assertSafeRef } from "./safety.ts";

/**
 * Fetches one ref of the origin into a ref of the mirror (e.g. a pull request's head, which the
 * mirror's branch refspecs do not fetch); returns the commit, or null when the origin has no such ref.
 */
export async function fetchRef(
  mirrorPath: string,
  remoteRef: string,
  localRef: string,
  opts: RemoteOptions = {},
): Promise<string | null> {
  assertSafeRef(remoteRef);
  assertSafeRef(localRef);
  const fetched = await runGitIn(
    mirrorPath,
    ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "origin", `+${remoteRef}:${localRef}`],
    { env: remoteEnv(opts), okCodes: [0, 1, 128] },
  );
  return fetched.code === 0 ? tryResolveCommit(mirrorPath, localRef) : null;
}

/** A commit's full message. */
export async function commitMessage(gitDir: string, commit: string): Promise<string> {
  assertSafeRef(commit);
  return (await runGitIn(gitDir, ["log", "-1", "--format=%B", commit, "--"])).stdout.toString("utf8");
}
