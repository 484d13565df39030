import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { remoteEnv, type RemoteOptions } from "./mirror.ts";
import { landedAlready } from "./landed-push.ts";
import { MOVED_ON, parsePorcelain, refusal, type PorcelainLine, type PushRun } from "./push-refusal.ts";
import { resolveCommit } from "./refs.ts";
import { assertSafeBranchName, assertSafeRef, assertSafeRemote, isFullObjectId } from "./safety.ts";

export interface PushRefspec {
  /** Commit to push (sha or ref in the local repository). */
  src: string;
  /** Destination: a full ref (refs/…) or a branch name (refs/heads/ is added). */
  dst: string;
  /** Allow a non-fast-forward update. */
  force?: boolean;
  /**
   * Compare-and-swap: push only if the remote's ref is this commit right now (null: only if the
   * ref does not exist yet), as `--force-with-lease=<ref>:<commit>`. Without it a plain push
   * still refuses non-fast-forward updates.
   */
  expect?: string | null;
}

export interface PushOptions extends RemoteOptions {
  /**
   * For a local non-bare remote: update a checked-out branch's work tree with the push, as
   * git's `receive.denyCurrentBranch=updateInstead` does (refused when that work tree has
   * uncommitted changes), instead of git's refusal to touch a checked-out branch.
   */
  updateCheckedOut?: boolean;
}

/** The receive-pack a local push runs when it may update a checked-out work tree (fixed text, no user input). */
const UPDATE_INSTEAD_RECEIVE_PACK = "--receive-pack=git -c receive.denyCurrentBranch=updateInstead receive-pack";

export interface PushedRef {
  dst: string;
  commit: string;
  status: "created" | "updated" | "forced" | "up_to_date";
}

function toFullRef(dst: string): string {
  if (dst.startsWith("refs/")) {
    assertSafeRef(dst);
    return dst;
  }
  assertSafeBranchName(dst);
  return `refs/heads/${dst}`;
}

interface PreparedSpec {
  dst: string;
  commit: string;
  lease: string | null;
  text: string;
}

async function prepare(gitDir: string, remote: string, refspecs: PushRefspec[]): Promise<PreparedSpec[]> {
  assertSafeRemote(remote);
  const specs = await Promise.all(
    refspecs.map(async (r) => {
      assertSafeRef(r.src);
      const dst = toFullRef(r.dst);
      const commit = await resolveCommit(gitDir, r.src);
      if (r.expect && !isFullObjectId(r.expect))
        throw new CadreError("internal", `the expected old value of ${dst} must be a full sha, got ${r.expect}`);
      const lease = r.expect === undefined ? null : `--force-with-lease=${dst}:${r.expect ?? ""}`;
      return { dst, commit, lease, text: `${r.force && lease === null ? "+" : ""}${commit}:${dst}` };
    }),
  );
  if (new Set(specs.map((s) => s.dst)).size !== specs.length)
    throw new CadreError("bad_request", "each destination ref may appear only once in a push");
  return specs;
}

async function runPush(
  gitDir: string,
  remote: string,
  specs: PreparedSpec[],
  { atomic, opts }: { atomic: boolean; opts: PushOptions },
): Promise<PushRun> {
  const run = (withAtomic: boolean) =>
    runGitIn(
      gitDir,
      [
        "push",
        "--porcelain",
        "--no-verify",
        "--no-progress",
        ...(withAtomic ? ["--atomic"] : []),
        ...(opts.updateCheckedOut ? [UPDATE_INSTEAD_RECEIVE_PACK] : []),
        ...specs.flatMap((s) => (s.lease ? [s.lease] : [])),
        remote,
        ...specs.map((s) => s.text),
      ],
      { env: remoteEnv(opts), okCodes: [0, 1, 128] },
    );
  let res = await run(atomic);
  if (res.code !== 0 && atomic && /does not support --atomic/i.test(res.stderr)) res = await run(false);
  return { code: res.code, stderr: res.stderr, lines: parsePorcelain(res.stdout.toString("utf8")) };
}

function pushedRef(spec: PreparedSpec, line: PorcelainLine | undefined): PushedRef {
  const flag = line?.flag ?? " ";
  const status: PushedRef["status"] =
    flag === "*" ? "created" : flag === "+" ? "forced" : flag === "=" ? "up_to_date" : "updated";
  return { dst: spec.dst, commit: spec.commit, status };
}

/**
 * A ref refused because the remote's moved on, when the remote already holds this change (see
 * `landedAlready`): the push is done, as `up_to_date` at the remote's commit. Null otherwise.
 */
async function landed(
  gitDir: string,
  remote: string,
  { spec, line, opts }: { spec: PreparedSpec; line: PorcelainLine; opts: PushOptions },
): Promise<PushedRef | null> {
  if (!MOVED_ON.test(line.summary)) return null;
  const commit = await landedAlready({ gitDir, remote, dst: spec.dst, commit: spec.commit, env: remoteEnv(opts) });
  return commit ? { dst: spec.dst, commit, status: "up_to_date" } : null;
}

/**
 * Pushes commits to refs of a remote (a configured remote name, URL or absolute path) without
 * fetching first. Several refs are pushed atomically when the remote supports it. A rejected
 * non-fast-forward update throws CadreError("conflict"); nothing is forced unless asked. A single
 * ref refused because the remote already holds the same change (that commit, or one differing only
 * in its dates: see `sameChange`) counts as pushed: `up_to_date` at the remote's commit.
 */
export async function pushRefs(
  gitDir: string,
  remote: string,
  refspecs: PushRefspec[],
  opts: PushOptions = {},
): Promise<PushedRef[]> {
  if (refspecs.length === 0) {
    assertSafeRemote(remote);
    return [];
  }
  const specs = await prepare(gitDir, remote, refspecs);
  const res = await runPush(gitDir, remote, specs, { atomic: specs.length > 1, opts });
  const rejected = res.lines.filter((l) => l.flag === "!");
  if (rejected.length > 0 || res.code !== 0) {
    const [spec] = specs;
    const [line] = rejected;
    const done = specs.length === 1 && spec && line ? await landed(gitDir, remote, { spec, line, opts }) : null;
    if (done) return [done];
    throw refusal(remote, rejected, { res, several: specs.length > 1 });
  }
  const byDst = new Map(res.lines.map((l) => [l.to, l] as const));
  return specs.map((s) => pushedRef(s, byDst.get(s.dst)));
}

/** One ref's part of a push of several: pushed, or refused with its own reason. */
export type PushOutcome = { ok: true; ref: PushedRef } | { ok: false; error: CadreError };

/**
 * Pushes several refs in one `git push` that is not atomic: each ref is updated or refused on its
 * own, with its own outcome (a ref the remote already holds the same change at counts as pushed,
 * as in `pushRefs`). Invalid refs throw before git runs, as in `pushRefs`.
 */
export async function pushEach(
  gitDir: string,
  remote: string,
  refspecs: PushRefspec[],
  opts: PushOptions = {},
): Promise<PushOutcome[]> {
  if (refspecs.length === 0) return [];
  const specs = await prepare(gitDir, remote, refspecs);
  const res = await runPush(gitDir, remote, specs, { atomic: false, opts });
  const byDst = new Map(res.lines.map((l) => [l.to, l] as const));
  return Promise.all(
    specs.map(async (spec): Promise<PushOutcome> => {
      const line = byDst.get(spec.dst);
      if (line && line.flag !== "!") return { ok: true, ref: pushedRef(spec, line) };
      if (!line && res.code === 0) return { ok: true, ref: pushedRef(spec, line) };
      const done = line ? await landed(gitDir, remote, { spec, line, opts }) : null;
      if (done) return { ok: true, ref: done };
      return { ok: false, error: refusal(remote, line ? [line] : [], { res, several: false }) };
    }),
  );
}

/** Pushes one commit to a branch of the remote (fast-forward only unless `force`). */
export async function pushBranch(
  gitDir: string,
  remote: string,
  { commit, branch }: { commit: string; branch: string },
  opts: PushOptions & { force?: boolean } = {},
): Promise<PushedRef> {
  assertSafeBranchName(branch);
  const [result] = await pushRefs(
    gitDir,
    remote,
    [{ src: commit, dst: `refs/heads/${branch}`, force: opts.force }],
    opts,
  );
  return result as PushedRef;
}
