import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

const ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "t@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "t@example.com",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: ENV });
}

/**
 * A bare origin (so Cadre can push to it) seeded with `files`, and a working clone of it for
 * `cadre apply` and for moving the branch.
 */
export async function createOrigin(
  dir: string,
  files: Record<string, string | Buffer>,
): Promise<{ origin: string; clone: string; seed: string }> {
  const seed = join(dir, "seed");
  await mkdir(seed, { recursive: true });
  git(seed, "init", "-q", "-b", "main");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(seed, path)), { recursive: true });
    await writeFile(join(seed, path), content);
  }
  git(seed, "add", "-A");
  git(seed, "commit", "-q", "-m", "initial");
  const origin = join(dir, "origin.git");
  git(dir, "clone", "-q", "--bare", seed, origin);
  const clone = join(dir, "clone");
  git(dir, "clone", "-q", origin, clone);
  return { origin, clone, seed };
}

/** Commits `files` on the clone's main and pushes them to the origin (someone else's change). */
export async function pushChange(clone: string, files: Record<string, string>, message: string): Promise<string> {
  git(clone, "pull", "-q", "--ff-only");
  for (const [path, content] of Object.entries(files)) await writeFile(join(clone, path), content);
  git(clone, "add", "-A");
  git(clone, "commit", "-q", "-m", message);
  git(clone, "push", "-q", "origin", "main");
  return git(clone, "rev-parse", "HEAD").trim();
}
