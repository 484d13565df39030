import { isAbsolute, resolve } from "node:path";
import { runGit, type GitResult, type RunGitOptions } from "./run-git.ts";

/**
 * Runs git against a repository given by its git directory (a bare repo or a `.git` folder),
 * independent of the process's working directory. Pathspecs are always literal (no globs or magic).
 */
export function runGitIn(gitDir: string, args: string[], opts: RunGitOptions = {}): Promise<GitResult> {
  const dir = isAbsolute(gitDir) ? gitDir : resolve(gitDir);
  return runGit([`--git-dir=${dir}`, "--literal-pathspecs", ...args], opts);
}

export async function gitTextIn(gitDir: string, args: string[], opts: RunGitOptions = {}): Promise<string> {
  return (await runGitIn(gitDir, args, opts)).stdout.toString("utf8");
}

/** Splits NUL-separated git output, dropping the trailing empty field. */
export function splitNul(buf: Buffer | string): string[] {
  const text = typeof buf === "string" ? buf : buf.toString("utf8");
  const parts = text.split("\0");
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}
