import { realpath } from "node:fs/promises";
import { delimiter, isAbsolute, relative, resolve } from "node:path";
import { CadreError, type Repo } from "@cadre/protocol";
import { repositoryDirs } from "@cadre/git";
import type { Principal } from "./principal.ts";
import { parseOrigin, type Origin } from "./origin.ts";

/** The environment variable naming the directories (`:`-separated) members may add local repositories from. */
export const LOCAL_REPO_ROOTS = "CADRE_LOCAL_REPO_ROOTS";

export interface OriginPolicy {
  principal: Principal;
  /** The Cadre home: mirrors, checkouts, database and keys live there, so nothing in it is a repo. */
  home: string;
  env: NodeJS.ProcessEnv;
  /** Repos already added, whose origins may not be added again. */
  existing: Repo[];
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === "" || (rel !== ".." && !rel.startsWith("../") && !isAbsolute(rel));
}

async function real(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

/** The configured roots, resolved; roots that do not exist are left out. */
export async function localRoots(env: NodeJS.ProcessEnv): Promise<string[]> {
  const listed = (env[LOCAL_REPO_ROOTS] ?? "").split(delimiter).filter((root) => isAbsolute(root));
  const resolved = await Promise.all(listed.map((root) => realpath(root).catch(() => null)));
  return resolved.filter((root): root is string => root !== null);
}

/** Every directory a push to `path` could write: the path, its git directory and its common directory, resolved. */
async function placesOf(path: string): Promise<{ places: string[]; commonDir: string }> {
  const dirs = await repositoryDirs(path);
  if (!dirs.ok)
    throw new CadreError(
      "bad_request",
      `${path} is not a git repository the server can read (${dirs.reason}): give the path of a repository's working tree or of a bare repository`,
    );
  const commonDir = await real(dirs.commonDir);
  return { places: [...new Set([path, await real(dirs.gitDir), commonDir])], commonDir };
}

function comparableUrl(url: string): string {
  return url
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .replace(/^[a-z]+:\/\/[^/]+/i, (start) => start.toLowerCase());
}

function alreadyAdded(what: string): CadreError {
  return new CadreError(
    "conflict",
    `${what} is already a repo in Cadre: ask an admin for access to it ('cadre user grant') instead of adding it again`,
  );
}

async function checkNotInHome(places: string[], home: string): Promise<void> {
  const realHome = await real(home);
  const inside = places.find((place) => isInside(place, realHome));
  if (inside)
    throw new CadreError(
      "forbidden",
      `${inside} is inside the Cadre home (${realHome}): Cadre's own mirrors, checkouts and data cannot be added as a repo`,
    );
}

async function checkUnderRoots(places: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const roots = await localRoots(env);
  if (roots.length === 0)
    throw new CadreError(
      "forbidden",
      `only an admin adds a repository from a path on the server: add it by URL, ask an admin, or have the operator list the directories members may use in ${LOCAL_REPO_ROOTS}`,
    );
  const outside = places.find((place) => !roots.some((root) => isInside(place, root)));
  if (outside)
    throw new CadreError(
      "forbidden",
      `${outside} is outside the directories members may add repositories from (${LOCAL_REPO_ROOTS}: ${roots.join(", ")}): move the repository there or ask an admin to add it`,
    );
}

/** A repository another repo already comes from, by any path (a symlink, its .git, a worktree of it). */
async function checkNotAdded(places: string[], commonDir: string, existing: Repo[]): Promise<void> {
  for (const repo of existing) {
    const other = await parseOrigin(repo.origin).catch(() => null);
    if (other?.kind !== "local") continue;
    const dirs = await repositoryDirs(other.path);
    const otherCommon = dirs.ok ? await real(dirs.commonDir) : other.path;
    if (
      commonDir === otherCommon ||
      places.some((place) => isInside(place, other.path) || isInside(place, otherCommon))
    )
      throw alreadyAdded(places[0] as string);
  }
}

/**
 * Decides whether `principal` may add a repo from `origin`, and returns the origin to store.
 * Remote URLs are open to members. A path on the server is an admin's choice, or a member's under
 * the roots the operator configured; for everyone, a path in the Cadre home or the repository of
 * a repo already added is refused, after symlinks and `..` are resolved (its git and common
 * directories included, so a worktree or a `.git` folder is seen for what it is).
 */
export async function allowedOrigin(origin: string, policy: OriginPolicy): Promise<string> {
  const parsed: Origin = await parseOrigin(origin);
  if (parsed.kind === "remote") {
    const wanted = comparableUrl(parsed.url);
    if (policy.existing.some((repo) => comparableUrl(repo.origin) === wanted)) throw alreadyAdded(parsed.url);
    return parsed.url;
  }
  // Checked before git reads anything there.
  await checkNotInHome([parsed.path], policy.home);
  const { places, commonDir } = await placesOf(parsed.path);
  await checkNotInHome(places, policy.home);
  if (policy.principal.role !== "admin") await checkUnderRoots(places, policy.env);
  await checkNotAdded(places, commonDir, policy.existing);
  return parsed.path;
}
