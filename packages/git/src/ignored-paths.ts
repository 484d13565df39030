import { gitPathBytes, type GitPath } from "./git-path.ts";
import { runGit } from "./run-git.ts";

export interface IgnoredPathsInput {
  /** The repository whose own ignore settings apply (its .git directory, never the work tree's). */
  gitDir: string;
  /** The work tree whose .gitignore files are read, as git sees it after `prefix`. */
  workTree: string;
  paths: GitPath[];
  /** A command git runs under (e.g. nsenter into the namespace where the work tree is mounted). */
  prefix?: string[];
}

/** No user-level ignore file or config of the host's user applies. */
const ISOLATED_ENV = { GIT_CONFIG_GLOBAL: "/dev/null", HOME: "/nonexistent", XDG_CONFIG_HOME: "/nonexistent" };

/**
 * For each path (in order), whether the work tree's ignore rules exclude it. Paths go through
 * stdin NUL-separated; each is given as `./<path>` because check-ignore reads them as pathspecs
 * and refuses --literal-pathspecs, and only a leading ':' is magic. `-v --non-matching` answers
 * once per path, so nothing has to be matched back by name.
 */
export async function ignoredPaths(input: IgnoredPathsInput): Promise<boolean[]> {
  if (input.paths.length === 0) return [];
  const stdin = Buffer.concat(input.paths.flatMap((path) => [Buffer.from("./"), gitPathBytes(path), Buffer.from([0])]));
  const res = await runGit(
    [
      `--git-dir=${input.gitDir}`,
      `--work-tree=${input.workTree}`,
      "check-ignore",
      "-z",
      "--stdin",
      "--verbose",
      "--non-matching",
    ],
    { input: stdin, okCodes: [0, 1], env: ISOLATED_ENV, prefix: input.prefix },
  );
  const fields: Buffer[] = [];
  for (let at = 0; at < res.stdout.length;) {
    const end = res.stdout.indexOf(0, at);
    if (end === -1) break;
    fields.push(res.stdout.subarray(at, end));
    at = end + 1;
  }
  // Four fields per path: source, line number, pattern, path. A negated pattern ("!x") keeps a path.
  return input.paths.map((_, i) => {
    const pattern = fields[i * 4 + 2];
    return pattern !== undefined && pattern.length > 0 && pattern[0] !== 0x21;
  });
}
