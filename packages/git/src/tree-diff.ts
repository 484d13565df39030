import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { toGitPath, type GitPath } from "./git-path.ts";
import { isFullObjectId } from "./safety.ts";

/** One path that differs between two commits, as `diff-tree --raw` reports it. */
export interface TreeDiffEntry {
  /** A added, D deleted, M modified, T type changed (file, symlink, submodule). */
  status: "A" | "D" | "M" | "T";
  /** The new mode (000000 when deleted). */
  mode: string;
  /** The new object id (zeros when deleted). */
  oid: string;
  /** Exactly as stored: any byte but NUL. */
  path: GitPath;
}

const HEADER = /^:(\d{6}) (\d{6}) ([0-9a-f]+) ([0-9a-f]+) ([ADMT])$/;

/**
 * Every path that differs between two commits, recursively and without rename pairing, in git's
 * order (a path before the paths under it when one side has a file where the other has a tree).
 */
export async function diffTreeEntries(gitDir: string, from: string, to: string): Promise<TreeDiffEntry[]> {
  for (const commit of [from, to])
    if (!isFullObjectId(commit)) throw new CadreError("internal", `diffTreeEntries needs full shas, got ${commit}`);
  const res = await runGitIn(gitDir, ["diff-tree", "-r", "-z", "--raw", "--no-renames", "--no-abbrev", from, to]);
  return parseRawDiff(res.stdout);
}

/** Parses `--raw -z` output: a header field then a path field per entry, NUL-separated. */
export function parseRawDiff(out: Buffer): TreeDiffEntry[] {
  const entries: TreeDiffEntry[] = [];
  let at = 0;
  while (at < out.length) {
    const headerEnd = out.indexOf(0, at);
    const pathEnd = headerEnd === -1 ? -1 : out.indexOf(0, headerEnd + 1);
    if (pathEnd === -1) throw new CadreError("git_failed", "diff-tree printed a truncated entry");
    const header = HEADER.exec(out.subarray(at, headerEnd).toString("latin1"));
    if (!header) throw new CadreError("git_failed", "diff-tree printed an entry Cadre cannot read");
    const [, , mode, , oid, status] = header as unknown as [
      string,
      string,
      string,
      string,
      string,
      TreeDiffEntry["status"],
    ];
    entries.push({ status, mode, oid, path: toGitPath(out.subarray(headerEnd + 1, pathEnd)) });
    at = pathEnd + 1;
  }
  return entries;
}
