// Helpers for this package's tests (not exported from index.ts).
import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import { runGit } from "./run-git.ts";

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true, maxRetries: 5 })));
});

export async function tempDir(prefix = "t"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `cadre-git-test-${prefix}-`));
  made.push(dir);
  return dir;
}

const ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_GLOBAL: "/dev/null",
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  return (await runGit(["-c", "gc.auto=0", "-c", "maintenance.auto=false", ...args], { cwd, env: ENV })).stdout
    .toString("utf8")
    .trim();
}

export type FileSpec = string | Buffer | { content: string | Buffer; mode?: "exec" } | { symlink: string } | null;

/** Writes files (null deletes) into a work tree. */
export async function writeFiles(dir: string, files: Record<string, FileSpec>): Promise<void> {
  for (const [path, spec] of Object.entries(files)) {
    const full = join(dir, path);
    await rm(full, { force: true, recursive: true });
    if (spec === null) continue;
    await mkdir(dirname(full), { recursive: true });
    if (typeof spec === "string" || Buffer.isBuffer(spec)) await writeFile(full, spec);
    else if ("symlink" in spec) await symlink(spec.symlink, full);
    else {
      await writeFile(full, spec.content);
      if (spec.mode === "exec") await chmod(full, 0o755);
    }
  }
}

export async function commitAll(dir: string, message: string): Promise<string> {
  await git(dir, "add", "-A");
  await git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

/** A non-bare repo on `main` with one commit of `files`. */
export async function makeRepo(
  files: Record<string, FileSpec>,
  prefix = "repo",
): Promise<{ dir: string; gitDir: string; commit: string }> {
  const dir = await tempDir(prefix);
  await git(dir, "init", "-q", "-b", "main");
  await writeFiles(dir, files);
  const commit = await commitAll(dir, "initial");
  return { dir, gitDir: join(dir, ".git"), commit };
}

export async function showFile(gitDir: string, rev: string, path: string): Promise<string> {
  return (await runGit([`--git-dir=${gitDir}`, "show", `${rev}:${path}`])).stdout.toString("utf8");
}

export async function lsTree(gitDir: string, rev: string): Promise<Map<string, { mode: string; sha: string }>> {
  const out = (await runGit([`--git-dir=${gitDir}`, "ls-tree", "-r", "-z", rev])).stdout.toString("utf8");
  const map = new Map<string, { mode: string; sha: string }>();
  for (const rec of out.split("\0")) {
    if (!rec) continue;
    const [meta, path] = rec.split("\t") as [string, string];
    const [mode, , sha] = meta.split(" ") as [string, string, string];
    map.set(path, { mode, sha });
  }
  return map;
}
