import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { remoteEnv, type RemoteOptions } from "./mirror.ts";
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

function shortName(ref: string): string {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : ref;
}

interface PorcelainLine {
  flag: string;
  from: string;
  to: string;
  summary: string;
}

function parsePorcelain(stdout: string): PorcelainLine[] {
  const out: PorcelainLine[] = [];
  for (const line of stdout.split("\n")) {
    const m = /^([ +\-*!=])\t([^\t]*)\t(.*)$/.exec(line);
    if (!m) continue;
    const spec = m[2] as string;
    const colon = spec.lastIndexOf(":");
    out.push({ flag: m[1] as string, from: spec.slice(0, colon), to: spec.slice(colon + 1), summary: m[3] as string });
  }
  return out;
}

/**
 * Pushes commits to refs of a remote (a configured remote name, URL or absolute path) without
 * fetching first. Several refs are pushed atomically when the remote supports it. A rejected
 * non-fast-forward update throws CadreError("conflict"); nothing is forced unless asked.
 */
export async function pushRefs(
  gitDir: string,
  remote: string,
  refspecs: PushRefspec[],
  opts: PushOptions = {},
): Promise<PushedRef[]> {
  assertSafeRemote(remote);
  if (refspecs.length === 0) return [];
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
  const leases = specs.flatMap((s) => (s.lease ? [s.lease] : []));
  const dsts = new Set(specs.map((s) => s.dst));
  if (dsts.size !== specs.length)
    throw new CadreError("bad_request", "each destination ref may appear only once in a push");

  const env = remoteEnv(opts);
  const attempt = (atomic: boolean) =>
    runGitIn(
      gitDir,
      [
        "push",
        "--porcelain",
        "--no-verify",
        "--no-progress",
        ...(atomic ? ["--atomic"] : []),
        ...(opts.updateCheckedOut ? [UPDATE_INSTEAD_RECEIVE_PACK] : []),
        ...leases,
        remote,
        ...specs.map((s) => s.text),
      ],
      {
        env,
        okCodes: [0, 1, 128],
      },
    );
  let res = await attempt(specs.length > 1);
  if (res.code !== 0 && specs.length > 1 && /does not support --atomic/i.test(res.stderr)) res = await attempt(false);

  const lines = parsePorcelain(res.stdout.toString("utf8"));
  const rejected = lines.filter((l) => l.flag === "!");
  if (rejected.length > 0 || res.code !== 0) {
    const checkedOut = rejected.filter((l) =>
      /checked out|working directory|unstaged|uncommitted|would be overwritten|not up to date/i.test(l.summary),
    );
    if (checkedOut.length > 0) {
      const names = checkedOut.map((l) => shortName(l.to)).join(", ");
      throw new CadreError(
        "conflict",
        `branch ${names} is checked out in ${remote} and its working tree could not be updated (${checkedOut.map((l) => l.summary).join("; ")}): commit or stash the changes there, or deliver another way; nothing was pushed`,
        { rejected: checkedOut.map((l) => ({ ref: l.to, reason: l.summary })), checkedOut: true },
      );
    }
    const nonFf = rejected.filter((l) => /non-fast-forward|fetch first|stale info|already exists/.test(l.summary));
    if (nonFf.length > 0) {
      const names = nonFf.map((l) => shortName(l.to)).join(", ");
      throw new CadreError(
        "conflict",
        `branch ${names} moved on ${remote} since this work was based on it: rebase onto the new head and push again (nothing was pushed${specs.length > 1 ? " when the remote supports atomic pushes" : ""})`,
        { rejected: rejected.map((l) => ({ ref: l.to, reason: l.summary })) },
      );
    }
    const reason =
      rejected.map((l) => `${shortName(l.to)}: ${l.summary}`).join("; ") ||
      res.stderr.trim() ||
      `exit code ${res.code}`;
    throw new CadreError("git_failed", `push to ${remote} failed: ${reason}`, {
      rejected: rejected.map((l) => ({ ref: l.to, reason: l.summary })),
    });
  }
  const byDst = new Map(lines.map((l) => [l.to, l] as const));
  return specs.map((s) => {
    const flag = byDst.get(s.dst)?.flag ?? " ";
    const status: PushedRef["status"] =
      flag === "*" ? "created" : flag === "+" ? "forced" : flag === "=" ? "up_to_date" : "updated";
    return { dst: s.dst, commit: s.commit, status };
  });
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
