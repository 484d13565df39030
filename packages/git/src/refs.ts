import { CadreError } from "@cadre/protocol";
import { gitTextIn, runGitIn } from "./git-dir.ts";
import { assertSafeRef, isFullObjectId } from "./safety.ts";

/**
 * Resolves a branch, tag, full ref or sha to the full sha of a commit.
 * Throws CadreError("not_found") when it does not name a commit in the repository.
 */
export async function resolveCommit(gitDir: string, ref: string): Promise<string> {
  assertSafeRef(ref);
  const res = await runGitIn(gitDir, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`], {
    okCodes: [0, 1, 128],
  });
  const sha = res.stdout.toString("utf8").trim();
  if (res.code === 128 && /not a git repository/i.test(res.stderr)) {
    throw new CadreError("git_failed", `no git repository at ${gitDir}: ${res.stderr.trim()}`);
  }
  if (res.code !== 0 || !isFullObjectId(sha)) {
    throw new CadreError("not_found", `ref ${ref} not found in repo; fetch or check the branch name`, { ref });
  }
  return sha;
}

/** Like resolveCommit, but returns null instead of throwing when the ref is missing. */
export async function tryResolveCommit(gitDir: string, ref: string): Promise<string | null> {
  try {
    return await resolveCommit(gitDir, ref);
  } catch (e) {
    if (e instanceof CadreError && e.code === "not_found") return null;
    throw e;
  }
}

function assertFullRefName(ref: string): void {
  assertSafeRef(ref);
  if (!ref.startsWith("refs/")) {
    throw new CadreError(
      "bad_request",
      `invalid ref ${JSON.stringify(ref)}: give a full ref name starting with refs/ (e.g. refs/cadre/attempts/…)`,
    );
  }
}

/** The object id a full ref (refs/…) points to, or null when it does not exist. Not peeled. */
export async function readRef(gitDir: string, ref: string): Promise<string | null> {
  assertFullRefName(ref);
  const res = await runGitIn(gitDir, ["rev-parse", "--verify", "--quiet", "--end-of-options", ref], {
    okCodes: [0, 1, 128],
  });
  const sha = res.stdout.toString("utf8").trim();
  return res.code === 0 && isFullObjectId(sha) ? sha : null;
}

export interface UpdateRefOptions {
  /** Compare-and-swap: the value the ref must have now (null = must not exist). Omit to overwrite. */
  oldValue?: string | null;
  /** Reflog message. */
  message?: string;
}

async function zeroOid(gitDir: string, like?: string): Promise<string> {
  if (like && isFullObjectId(like)) return "0".repeat(like.length);
  const fmt = (await gitTextIn(gitDir, ["rev-parse", "--show-object-format"])).trim();
  return "0".repeat(fmt === "sha256" ? 64 : 40);
}

/** One `update-ref --stdin` line on `ref`; `expected`: the line names the old value (a compare-and-swap). */
async function runRefTransaction(
  gitDir: string,
  ref: string,
  line: string,
  { message, expected }: { message: string | undefined; expected: boolean },
): Promise<void> {
  const args = ["update-ref", "--stdin", "-z"];
  if (message) args.push("-m", message.replace(/[\0\n]/g, " "));
  const res = await runGitIn(gitDir, args, { input: line, okCodes: [0, 1, 128] });
  if (res.code === 0) return;
  const err = res.stderr.trim();
  if (
    expected &&
    /(is at .* but expected|reference already exists|unable to resolve reference|cannot lock ref)/i.test(err)
  ) {
    throw new CadreError("conflict", `ref ${ref} changed concurrently (${err}); read it again and retry`, { ref });
  }
  throw new CadreError("git_failed", `could not update ref ${ref}: ${err || `exit code ${res.code}`}`, { ref });
}

/** Points a full ref (refs/…) at an object, optionally only if it currently has `oldValue`. */
export async function updateRef(
  gitDir: string,
  ref: string,
  newValue: string,
  opts: UpdateRefOptions = {},
): Promise<void> {
  assertFullRefName(ref);
  const target = isFullObjectId(newValue) ? newValue : await resolveCommit(gitDir, newValue);
  let line = `update ${ref}\0${target}\0`;
  const expected = opts.oldValue;
  const cas = expected !== undefined;
  if (cas) {
    const old = expected === null ? await zeroOid(gitDir, target) : expected;
    if (!isFullObjectId(old)) throw new CadreError("bad_request", `oldValue for ${ref} must be a full sha or null`);
    line += `${old}\0`;
  } else {
    line += "\0";
  }
  await runRefTransaction(gitDir, ref, line, { message: opts.message, expected: cas });
}

/** Deletes a full ref (refs/…); a missing ref is not an error unless `oldValue` is given. */
export async function deleteRef(
  gitDir: string,
  ref: string,
  opts: { oldValue?: string; message?: string } = {},
): Promise<void> {
  assertFullRefName(ref);
  if (opts.oldValue !== undefined && !isFullObjectId(opts.oldValue)) {
    throw new CadreError("bad_request", `oldValue for ${ref} must be a full sha`);
  }
  if (opts.oldValue === undefined && (await readRef(gitDir, ref)) === null) return;
  await runRefTransaction(gitDir, ref, `delete ${ref}\0${opts.oldValue ?? ""}\0`, {
    message: opts.message,
    expected: opts.oldValue !== undefined,
  });
}

export interface RefEntry {
  ref: string;
  sha: string;
}

/** Refs under a prefix (default all refs), sorted by name. */
export async function listRefs(gitDir: string, prefix = "refs/"): Promise<RefEntry[]> {
  const pattern = prefix.replace(/\/+$/, "");
  assertSafeRef(pattern);
  const out = await gitTextIn(gitDir, ["for-each-ref", "--format=%(objectname) %(refname)", "--sort=refname", pattern]);
  const refs: RefEntry[] = [];
  for (const line of out.split("\n")) {
    if (!line) continue;
    const sp = line.indexOf(" ");
    refs.push({ sha: line.slice(0, sp), ref: line.slice(sp + 1) });
  }
  return refs;
}

/**
 * The repository's default branch name: the origin's HEAD (as recorded by ensureMirror/fetchMirror,
 * or `refs/remotes/origin/HEAD` in a clone), else `main`, else `master`, else the first branch.
 * Null when the repository has no branches.
 */
export async function defaultBranch(gitDir: string): Promise<string | null> {
  const [originHead, branchesOut] = await Promise.all([
    runGitIn(gitDir, ["symbolic-ref", "-q", "refs/remotes/origin/HEAD"], { okCodes: [0, 1, 128] }),
    gitTextIn(gitDir, ["for-each-ref", "--format=%(refname)", "--sort=refname", "refs/heads", "refs/remotes/origin"]),
  ]);
  const heads = new Set<string>();
  const remotes = new Set<string>();
  for (const ref of branchesOut.split("\n")) {
    if (ref.startsWith("refs/heads/")) heads.add(ref.slice("refs/heads/".length));
    else if (ref.startsWith("refs/remotes/origin/") && ref !== "refs/remotes/origin/HEAD")
      remotes.add(ref.slice("refs/remotes/origin/".length));
  }
  const target = originHead.code === 0 ? originHead.stdout.toString("utf8").trim() : "";
  for (const prefix of ["refs/heads/", "refs/remotes/origin/"]) {
    if (target.startsWith(prefix)) {
      const name = target.slice(prefix.length);
      if (heads.has(name) || remotes.has(name)) return name;
    }
  }
  for (const name of ["main", "master"]) if (heads.has(name) || remotes.has(name)) return name;
  const first = [...heads][0] ?? [...remotes][0];
  return first ?? null;
}

/** Whether commit `a` is an ancestor of (or equal to) commit `b`. */
export async function isAncestor(gitDir: string, a: string, b: string): Promise<boolean> {
  assertSafeRef(a);
  assertSafeRef(b);
  const res = await runGitIn(gitDir, ["merge-base", "--is-ancestor", "--end-of-options", a, b], { okCodes: [0, 1] });
  return res.code === 0;
}

/** The best common ancestor of two commits, or null when they share no history. */
export async function mergeBase(gitDir: string, a: string, b: string): Promise<string | null> {
  assertSafeRef(a);
  assertSafeRef(b);
  const res = await runGitIn(gitDir, ["merge-base", "--end-of-options", a, b], { okCodes: [0, 1] });
  const sha = res.stdout.toString("utf8").trim();
  return res.code === 0 && isFullObjectId(sha) ? sha : null;
}
