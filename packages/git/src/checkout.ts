import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { resolveCommit } from "./refs.ts";
import { runGit } from "./run-git.ts";

/** Checkouts ignore the host's global git config (autocrlf, filters, hooks paths…). */
const ISOLATED_ENV = { GIT_CONFIG_GLOBAL: "/dev/null" };

export interface CheckoutResult {
  /** Full sha checked out (detached HEAD). */
  commit: string;
  path: string;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  const st = await stat(dir).catch(() => null);
  if (!st) return true;
  if (!st.isDirectory()) return false;
  return (await readdir(dir)).length === 0;
}

/**
 * Materializes `commit` of the mirror into `destDir` as a standalone repository: `destDir/.git`
 * holds only that commit's objects (a shallow fetch, no alternates, no remote, no FETCH_HEAD, so
 * nothing points back at the mirror), HEAD is detached at the commit, and the index carries
 * fresh stat data so `git status` is clean and fast. Built next to `destDir` and renamed into
 * place, so a half-made checkout is never visible. `destDir` must be missing or empty.
 */
export async function createCheckout(mirrorPath: string, commit: string, destDir: string): Promise<CheckoutResult> {
  if (!isAbsolute(mirrorPath) || !isAbsolute(destDir))
    throw new CadreError("bad_request", "createCheckout needs absolute mirror and destination paths");
  const sha = await resolveCommit(mirrorPath, commit);
  if (!(await isEmptyOrMissing(destDir))) {
    throw new CadreError(
      "conflict",
      `checkout destination ${destDir} already exists and is not empty; remove it first`,
    );
  }
  await mkdir(dirname(destDir), { recursive: true });
  const tmp = join(dirname(destDir), `.${basename(destDir)}.tmp-${randomBytes(6).toString("hex")}`);
  const gitDir = join(tmp, ".git");
  try {
    await runGit(["-c", "init.defaultBranch=main", "init", "--quiet", "--template=", tmp], { env: ISOLATED_ENV });
    await runGitIn(
      gitDir,
      [
        "-c",
        "protocol.version=2",
        "fetch",
        "--quiet",
        "--depth=1",
        "--no-tags",
        "--no-write-fetch-head",
        "--no-auto-maintenance",
        mirrorPath,
        sha,
      ],
      {
        env: { ...ISOLATED_ENV, GIT_ALLOW_PROTOCOL: "file" },
      },
    );
    // Parallel workers (one per CPU) write large trees faster.
    await runGit(["-c", "checkout.workers=0", "checkout", "--quiet", "--detach", sha], { cwd: tmp, env: ISOLATED_ENV });
    await settleIndex(tmp);
    await rename(tmp, destDir).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOTEMPTY" || e.code === "EEXIST") {
        throw new CadreError(
          "conflict",
          `checkout destination ${destDir} was created concurrently; remove it or reuse it`,
        );
      }
      throw e;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { commit: sha, path: destDir };
}

/**
 * Files written in the same second as the index are "racily clean": git re-reads them on every
 * `git status` until the index is rewritten later. Wait for the clock to pass the index's
 * timestamp and refresh once, so later status calls only stat files.
 */
async function settleIndex(workTree: string): Promise<void> {
  const indexPath = join(workTree, ".git", "index");
  const st = await stat(indexPath).catch(() => null);
  if (!st) return; // empty commit: no index
  const nextSecond = (Math.floor(st.mtimeMs / 1000) + 1) * 1000;
  const wait = nextSecond - Date.now() + 5;
  if (wait > 0) await sleep(wait);
  await runGit(["update-index", "-q", "--refresh"], { cwd: workTree, env: ISOLATED_ENV, okCodes: [0, 1] });
}
