import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { MIRROR_REFSPECS, remoteEnv, type RemoteOptions } from "./mirror.ts";
import { runGit } from "./run-git.ts";
import { assertSafeRemote, isFullObjectId } from "./safety.ts";

/**
 * Creates an empty bare repository at `gitDir` if there is none: a runner's cache of a repository
 * it reaches only over the network (no origin configured, nothing fetched until asked).
 */
export async function ensureCacheRepository(gitDir: string): Promise<void> {
  if (!isAbsolute(gitDir)) throw new CadreError("bad_request", `cache path ${gitDir} must be absolute`);
  if (await stat(join(gitDir, "HEAD")).catch(() => null)) return;
  await mkdir(dirname(gitDir), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(gitDir), `.${basename(gitDir)}.tmp-${randomBytes(6).toString("hex")}`);
  try {
    await runGit(["-c", "init.defaultBranch=main", "init", "--quiet", "--bare", "--template=", tmp]);
    // Written once by this runner only; gc happens in the background of later fetches.
    await rename(tmp, gitDir).catch(async (error: unknown) => {
      if (!(await stat(join(gitDir, "HEAD")).catch(() => null))) throw error;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Which of `commits` the repository lacks (one `cat-file --batch-check`). */
export async function missingCommits(gitDir: string, commits: string[]): Promise<string[]> {
  const wanted = [...new Set(commits)];
  for (const commit of wanted)
    if (!isFullObjectId(commit)) throw new CadreError("bad_request", `not a full commit id: ${JSON.stringify(commit)}`);
  if (wanted.length === 0) return [];
  const res = await runGitIn(gitDir, ["cat-file", "--batch-check=%(objectname) %(objecttype)"], {
    input: `${wanted.join("\n")}\n`,
  });
  const present = new Set(
    res.stdout
      .toString("utf8")
      .split("\n")
      .filter((line) => line.endsWith(" commit"))
      .map((line) => line.split(" ")[0]),
  );
  return wanted.filter((commit) => !present.has(commit));
}

/**
 * Fetches `commits` (by id: the server allows any reachable object) and the remote's branches and
 * tags (so later fetches negotiate from them and send only what is new) from `url` into `gitDir`.
 */
export async function fetchCommits(
  gitDir: string,
  url: string,
  commits: string[],
  opts: RemoteOptions = {},
): Promise<void> {
  assertSafeRemote(url);
  for (const commit of commits)
    if (!isFullObjectId(commit)) throw new CadreError("bad_request", `not a full commit id: ${JSON.stringify(commit)}`);
  const res = await runGitIn(
    gitDir,
    [
      "-c",
      "protocol.version=2",
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-fetch-head",
      "--end-of-options",
      url,
      ...MIRROR_REFSPECS,
      ...commits,
    ],
    { env: remoteEnv(opts), okCodes: [0, 1, 128] },
  );
  if (res.code !== 0)
    throw new CadreError(
      "git_failed",
      `fetching from ${url} failed: ${res.stderr.trim().split("\n").pop() || `exit code ${res.code}`}`,
    );
}
