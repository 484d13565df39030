import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "t",
  GIT_AUTHOR_EMAIL: "t@t",
  GIT_COMMITTER_NAME: "t",
  GIT_COMMITTER_EMAIL: "t@t",
};

export interface TestMirror {
  /** A temp directory of the test's own, holding the mirror (and whatever the test puts there). */
  dir: string;
  /** The bare mirror a workspace is provisioned from. */
  mirror: string;
  /** The base commit: one commit holding `files`. */
  base: string;
  /** git in the mirror; returns trimmed stdout. */
  git: (args: string[], input?: string) => string;
  remove: () => void;
}

/** For the runner's unit tests: a bare mirror with one base commit of `files` (name → content). */
export function testMirror(prefix: string, files: Record<string, string> = { "a.txt": "a\n" }): TestMirror {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const mirror = join(dir, "mirror.git");
  const git = (args: string[], input?: string): string =>
    execFileSync("git", ["--git-dir", mirror, ...args], { env: GIT_ENV, input })
      .toString()
      .trim();
  execFileSync("git", ["init", "-q", "--bare", mirror], { env: GIT_ENV });
  const entries = Object.entries(files).map(([name, content]) => {
    const path = join(dir, "blob");
    writeFileSync(path, content);
    return `100644 blob ${git(["hash-object", "-w", path])}\t${name}\n`;
  });
  const base = git(["commit-tree", "-m", "base", git(["mktree"], entries.join(""))]);
  return { dir, mirror, base, git, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
