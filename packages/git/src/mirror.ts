import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { dirname, isAbsolute, join, basename } from "node:path";
import { fileURLToPath } from "node:url";
import { CadreError } from "@cadre/protocol";
import { gitTextIn, runGitIn } from "./git-dir.ts";
import { runGit } from "./run-git.ts";
import { retryOnHeldLock } from "./lock-retry.ts";
import { ALLOWED_PROTOCOLS, assertSafeRef, assertSafeRemote } from "./safety.ts";

function refProblemOf(ref: string): boolean {
  try {
    assertSafeRef(ref);
    return false;
  } catch {
    return true;
  }
}

/** What a mirror fetches: branches and tags only, so Cadre's own refs (refs/cadre/*) are never pruned. */
export const MIRROR_REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"] as const;

export interface RemoteOptions {
  /** Extra environment for git (credentials: GIT_ASKPASS, GIT_SSH_COMMAND, GIT_CONFIG_* …). */
  env?: Record<string, string>;
}

export function remoteEnv(opts: RemoteOptions = {}): Record<string, string> {
  return { GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS, ...opts.env };
}

function isUrlLike(origin: string): boolean {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(origin)) return true;
  // scp-like syntax: [user@]host:path (no slash before the first colon)
  const colon = origin.indexOf(":");
  return colon > 0 && !origin.slice(0, colon).includes("/");
}

function notFound(origin: string, why?: string): CadreError {
  return new CadreError(
    "not_found",
    `repository not found at ${origin}: check the path or URL${why ? ` (${why})` : ""}`,
    { origin },
  );
}

/** Validates an origin (absolute local path or URL) and, for local paths, that it exists. */
async function checkOrigin(origin: string): Promise<void> {
  assertSafeRemote(origin);
  let localPath: string | null = null;
  if (origin.startsWith("file://")) localPath = fileURLToPath(origin);
  else if (!isUrlLike(origin)) {
    if (!isAbsolute(origin))
      throw new CadreError(
        "bad_request",
        `repository location ${origin} is a relative path: use an absolute path or a URL`,
      );
    localPath = origin;
  }
  if (localPath !== null) {
    const st = await stat(localPath).catch(() => null);
    if (!st?.isDirectory()) throw notFound(origin, "no such directory");
  }
}

function firstLine(text: string): string {
  const lines = text
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(fatal|error):/.test(l)) ?? lines[0] ?? "";
}

async function isBareRepo(path: string): Promise<boolean> {
  const res = await runGit([`--git-dir=${path}`, "rev-parse", "--is-bare-repository"], { okCodes: [0, 128] }).catch(
    () => null,
  );
  return res?.code === 0 && res.stdout.toString("utf8").trim() === "true";
}

async function configureMirror(mirrorPath: string, origin: string): Promise<void> {
  await runGitIn(mirrorPath, ["config", "remote.origin.url", origin]);
  await runGitIn(mirrorPath, ["config", "--replace-all", "remote.origin.fetch", MIRROR_REFSPECS[0]]);
  await runGitIn(mirrorPath, ["config", "--add", "remote.origin.fetch", MIRROR_REFSPECS[1]]);
  await runGitIn(mirrorPath, ["config", "remote.origin.tagOpt", "--no-tags"]);
  // Checkouts fetch commits by id (checkpoints may not be advertised refs).
  await runGitIn(mirrorPath, ["config", "uploadpack.allowAnySHA1InWant", "true"]);
}

/**
 * Makes sure `mirrorPath` is a bare mirror of `origin` (branches and tags), creating and fetching
 * it when missing. An existing mirror is re-pointed at `origin` if its URL changed but not fetched:
 * call fetchMirror to refresh it. Returns whether the mirror was created.
 */
export async function ensureMirror(
  origin: string,
  mirrorPath: string,
  opts: RemoteOptions = {},
): Promise<{ created: boolean }> {
  await checkOrigin(origin);
  if (!isAbsolute(mirrorPath)) throw new CadreError("bad_request", `mirror path ${mirrorPath} must be absolute`);
  if (await isBareRepo(mirrorPath)) {
    const current = (await runGitIn(mirrorPath, ["config", "--get", "remote.origin.url"], { okCodes: [0, 1] })).stdout
      .toString("utf8")
      .trim();
    if (current !== origin) await configureMirror(mirrorPath, origin);
    return { created: false };
  }
  if (await stat(mirrorPath).catch(() => null)) {
    throw new CadreError(
      "conflict",
      `${mirrorPath} exists but is not a bare git repository; remove it or choose another mirror path`,
    );
  }
  await mkdir(dirname(mirrorPath), { recursive: true });
  const tmp = join(dirname(mirrorPath), `.${basename(mirrorPath)}.tmp-${randomBytes(6).toString("hex")}`);
  try {
    await runGit(["-c", "init.defaultBranch=main", "init", "--quiet", "--bare", "--template=", tmp]);
    await configureMirror(tmp, origin);
    await fetchMirror(tmp, opts, false).catch((e: unknown) => {
      // A new mirror whose first fetch fails: the origin is missing, unreachable or refuses us.
      if (e instanceof CadreError && e.code === "git_failed")
        throw notFound(origin, e.message.replace(/^fetching .* failed: /, ""));
      throw e;
    });
    try {
      await rename(tmp, mirrorPath);
    } catch (e) {
      // Someone else created it concurrently: use theirs.
      if (await isBareRepo(mirrorPath)) return { created: false };
      throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { created: true };
}

interface MirrorFetch {
  running: Promise<void>;
  queued: Promise<void> | null;
  /** When the running fetch started (ms since the epoch). */
  startedAt: number;
}

/** Per mirror: the fetch running now, and the one queued to run after it for everyone who asked since. */
const mirrorFetches = new Map<string, MirrorFetch>();
/** Per mirror: when the latest fetch that succeeded started (what the origin held then is in it). */
const fetchedAt = new Map<string, number>();

function startFetch(key: string, run: () => Promise<void>): Promise<void> {
  const startedAt = Date.now();
  const running = run();
  const entry: MirrorFetch = { running, queued: null, startedAt };
  mirrorFetches.set(key, entry);
  const settle = () => {
    if (mirrorFetches.get(key) === entry && !entry.queued) mirrorFetches.delete(key);
  };
  running.then(() => {
    fetchedAt.set(key, Math.max(fetchedAt.get(key) ?? 0, startedAt));
    settle();
  }, settle);
  return running;
}

/**
 * Fetches branches and tags from the mirror's origin, pruning branches and tags deleted there
 * (never refs outside refs/heads and refs/tags), and records the origin's default branch.
 * `autoMaintenance: false` skips git's background `gc --auto` after the fetch.
 *
 * Callers of one mirror share fetches: while one runs, everyone who asks waits for a single next
 * fetch (it starts after they asked, so it sees what they expect), instead of 50 webhooks' tasks
 * running 50 fetches that contend for the same refs.
 */
export function fetchMirror(mirrorPath: string, opts: RemoteOptions = {}, autoMaintenance = true): Promise<void> {
  // Server instances share the mirrors (deploy/kubernetes/server.yaml): another process may hold a
  // ref or HEAD lock for a moment, which only retrying can wait out.
  const run = () => retryOnHeldLock(() => fetchOnce(mirrorPath, opts, autoMaintenance));
  const entry = mirrorFetches.get(mirrorPath);
  if (!entry) return startFetch(mirrorPath, run);
  const ignore = () => undefined;
  entry.queued ??= entry.running.then(ignore, ignore).then(() => startFetch(mirrorPath, run));
  return entry.queued;
}

/**
 * `fetchMirror` for a caller that needs only what the origin held at `since` (ms since the epoch:
 * when a webhook was received): a fetch of this process that started at or after it, finished or
 * running, serves; only otherwise does it wait for the next one. So 50 mentions received together
 * share the first fetch started after them rather than each waiting for a fetch of its own.
 */
export function fetchMirrorSince(mirrorPath: string, opts: RemoteOptions, since: number): Promise<void> {
  if ((fetchedAt.get(mirrorPath) ?? Number.NEGATIVE_INFINITY) >= since) return Promise.resolve();
  const entry = mirrorFetches.get(mirrorPath);
  if (entry && entry.startedAt >= since) return entry.running;
  return fetchMirror(mirrorPath, opts);
}

async function fetchOnce(mirrorPath: string, opts: RemoteOptions, autoMaintenance: boolean): Promise<void> {
  const origin = (await runGitIn(mirrorPath, ["config", "--get", "remote.origin.url"], { okCodes: [0, 1] })).stdout
    .toString("utf8")
    .trim();
  if (!origin) throw new CadreError("not_configured", `${mirrorPath} has no origin; create it with ensureMirror`);
  assertSafeRemote(origin);
  const env = remoteEnv(opts);
  const [fetched, head] = await Promise.all([
    runGitIn(
      mirrorPath,
      [
        "-c",
        "protocol.version=2",
        "fetch",
        "--quiet",
        "--prune",
        "--no-tags",
        "--no-write-fetch-head",
        "--update-head-ok",
        ...(autoMaintenance ? [] : ["--no-auto-maintenance"]),
        "origin",
        ...MIRROR_REFSPECS,
      ],
      { env, okCodes: [0, 1, 128] },
    ),
    runGitIn(mirrorPath, ["ls-remote", "--symref", "origin", "HEAD"], { env, okCodes: [0, 1, 2, 128] }),
  ]);
  if (fetched.code !== 0) {
    const why = firstLine(fetched.stderr);
    if (
      /not found|does not appear to be a git repository|does not exist|no such|could not read from remote|repository .* not found/i.test(
        fetched.stderr,
      )
    ) {
      throw notFound(origin, why);
    }
    throw new CadreError("git_failed", `fetching ${origin} failed: ${why || `exit code ${fetched.code}`}`, { origin });
  }
  const match = /^ref: (refs\/heads\/\S+)\tHEAD$/m.exec(head.stdout.toString("utf8"));
  if (head.code === 0 && match?.[1] && !refProblemOf(match[1])) {
    const target = match[1];
    await pointSymbolicRef(mirrorPath, "HEAD", target);
    await pointSymbolicRef(mirrorPath, "refs/remotes/origin/HEAD", target);
  }
}

/** Points `name` at `target` unless it already does: a write takes a lock other instances may hold. */
async function pointSymbolicRef(mirrorPath: string, name: string, target: string): Promise<void> {
  const current = await runGitIn(mirrorPath, ["symbolic-ref", "--quiet", name], { okCodes: [0, 1, 128] });
  if (current.code === 0 && current.stdout.toString("utf8").trim() === target) return;
  await runGitIn(mirrorPath, ["symbolic-ref", name, target]);
}

/** The origin URL or path a mirror fetches from. */
export async function mirrorOrigin(mirrorPath: string): Promise<string> {
  return (await gitTextIn(mirrorPath, ["config", "--get", "remote.origin.url"])).trim();
}
