import type { Diff, FileStat } from "@cadre/protocol";
import { CadreError } from "@cadre/protocol";
import { runGitIn, splitNul } from "./git-dir.ts";
import { formatPatchFile, parsePatch, patchFilePath } from "./patch.ts";
import { resolveCommit } from "./refs.ts";
import { assertSafeRelPath, isFullObjectId } from "./safety.ts";

export interface DiffInput {
  gitDir: string;
  base: string;
  head: string;
  /** Limit the diff to these paths (files or directories). */
  paths?: string[];
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string | null;
  /** Files per page (default 200, at most 2000). */
  limit?: number;
}

export const DEFAULT_DIFF_PAGE = 200;
export const MAX_DIFF_PAGE = 2000;

const STATUS: Record<string, FileStat["status"]> = {
  A: "added",
  M: "modified",
  D: "deleted",
  R: "renamed",
  C: "copied",
  T: "type_changed",
};

function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeCursor(cursor: string): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { o?: unknown };
    if (typeof v.o === "number" && Number.isInteger(v.o) && v.o >= 0) return v.o;
  } catch {
    // fall through
  }
  throw new CadreError("bad_request", "invalid diff cursor: pass the nextCursor of the previous page unchanged");
}

const DIFF_OPTS = ["--no-ext-diff", "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/"];

/** Parses `diff-tree -r -z --raw --numstat` output (raw records first, then numstat records, same order). */
export function parseRawNumstat(out: Buffer): FileStat[] {
  const tok = splitNul(out);
  const files: FileStat[] = [];
  let i = 0;
  while (i < tok.length && (tok[i] as string).startsWith(":")) {
    const meta = (tok[i] as string).slice(1).split(" ");
    const [oldMode, newMode, , , statusField] = meta as [string, string, string, string, string];
    const letter = statusField[0] ?? "M";
    const status = STATUS[letter] ?? "modified";
    let oldPath: string | null = null;
    let path: string;
    if (letter === "R" || letter === "C") {
      oldPath = tok[i + 1] as string;
      path = tok[i + 2] as string;
      i += 3;
    } else {
      path = tok[i + 1] as string;
      i += 2;
    }
    files.push({
      path,
      oldPath,
      status,
      additions: 0,
      deletions: 0,
      binary: false,
      oldMode: /^0+$/.test(oldMode) ? null : oldMode,
      newMode: /^0+$/.test(newMode) ? null : newMode,
    });
  }
  for (const file of files) {
    const rec = tok[i] ?? "";
    const parts = rec.split("\t");
    const [add, del] = parts;
    // Renames/copies: "add\tdel\t" then old and new path as separate fields.
    i += parts[2] === "" && file.oldPath !== null ? 3 : 1;
    if (add === "-" || del === "-") file.binary = true;
    else {
      file.additions = Number(add) || 0;
      file.deletions = Number(del) || 0;
    }
  }
  return files;
}

function byPath(a: FileStat, b: FileStat): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** How much two commits differ: the totals of `diffCommits`, without its file list or patch. */
export interface DiffStats {
  totalFiles: number;
  additions: number;
  deletions: number;
}

/**
 * The totals of the diff between two commits in one `diff-tree` pass (the same options as
 * `diffCommits`), for callers that need no patch. Equal commits differ in nothing: no git runs.
 */
export async function diffStats(input: { gitDir: string; base: string; head: string }): Promise<DiffStats> {
  const { gitDir } = input;
  if (input.base === input.head) return { totalFiles: 0, additions: 0, deletions: 0 };
  const commit = (ref: string): Promise<string> =>
    isFullObjectId(ref) ? Promise.resolve(ref) : resolveCommit(gitDir, ref);
  const [base, head] = await Promise.all([commit(input.base), commit(input.head)]);
  const args = ["diff-tree", "-r", "-z", "-M", "--raw", "--numstat", "--no-abbrev", ...DIFF_OPTS, base, head];
  const files = parseRawNumstat((await runGitIn(gitDir, args)).stdout);
  return {
    totalFiles: files.length,
    additions: files.reduce((sum, f) => sum + f.additions, 0),
    deletions: files.reduce((sum, f) => sum + f.deletions, 0),
  };
}

/**
 * The diff between two commits: per-file stats for all files (one `diff-tree` pass), paged by
 * files in path order, with the full git patch (binary included) of the current page only.
 */
export async function diffCommits(input: DiffInput): Promise<Diff> {
  const { gitDir } = input;
  const paths = input.paths ?? [];
  for (const p of paths) assertSafeRelPath(p);
  const limit = Math.min(Math.max(Math.floor(input.limit ?? DEFAULT_DIFF_PAGE), 1), MAX_DIFF_PAGE);
  const offset = input.cursor ? decodeCursor(input.cursor) : 0;
  const [base, head] = await Promise.all([resolveCommit(gitDir, input.base), resolveCommit(gitDir, input.head)]);

  const statArgs = ["diff-tree", "-r", "-z", "-M", "--raw", "--numstat", "--no-abbrev", ...DIFF_OPTS, base, head];
  if (paths.length > 0) statArgs.push("--", ...paths);
  const all = parseRawNumstat((await runGitIn(gitDir, statArgs)).stdout).sort(byPath);

  let additions = 0;
  let deletions = 0;
  for (const f of all) {
    additions += f.additions;
    deletions += f.deletions;
  }
  const page = all.slice(offset, offset + limit);
  const end = offset + page.length;
  const patch =
    page.length === 0 ? "" : await pagePatch(gitDir, { base, head }, page, page.length === all.length ? paths : null);
  return {
    base,
    head,
    files: page,
    totalFiles: all.length,
    additions,
    deletions,
    patch,
    nextCursor: end < all.length ? encodeCursor(end) : null,
  };
}

/**
 * The patch of one page of files. Renamed/copied files are diffed with rename detection on their
 * two paths; all other files without it, so two unrelated files of the page can never be paired
 * into a rename that the file list does not show. Parts are filtered to the page's files (a path
 * also matches files below it) and ordered like the page.
 */
async function pagePatch(
  gitDir: string,
  { base, head }: { base: string; head: string },
  page: FileStat[],
  wholeDiffPaths: string[] | null,
): Promise<string> {
  const paired = page.filter((f) => f.oldPath !== null);
  const single = page.filter((f) => f.oldPath === null);
  const common = ["diff-tree", "-r", "-p", "--binary", "--full-index", ...DIFF_OPTS];
  const run = async (files: FileStat[], renames: boolean, specs: string[]): Promise<string> => {
    if (files.length === 0) return "";
    const args = [...common, renames ? "-M" : "--no-renames", base, head];
    if (specs.length > 0) args.push("--", ...specs);
    return (await runGitIn(gitDir, args)).stdout.toString("utf8");
  };
  // The whole (filtered) diff fits on this page and needs one kind of pass: take git's output as is.
  if (wholeDiffPaths !== null && (paired.length === 0 || single.length === 0)) {
    return run(page, paired.length > 0, wholeDiffPaths);
  }
  const [a, b] = await Promise.all([
    run(
      single,
      false,
      single.map((f) => f.path),
    ),
    run(
      paired,
      true,
      paired.flatMap((f) => [f.oldPath as string, f.path]),
    ),
  ]);
  const order = new Map(page.map((f, idx) => [`${f.oldPath ?? ""}\0${f.path}`, idx] as const));
  const keyOf = (f: ReturnType<typeof parsePatch>[number]): number | undefined => {
    if (f.status === "renamed" || f.status === "copied") return order.get(`${f.oldPath ?? ""}\0${f.newPath ?? ""}`);
    return order.get(`\0${patchFilePath(f)}`);
  };
  const parts = [...parsePatch(a), ...parsePatch(b)]
    .map((file, idx) => ({ file, idx, pos: keyOf(file) }))
    .filter((p): p is { file: typeof p.file; idx: number; pos: number } => p.pos !== undefined);
  parts.sort((x, y) => x.pos - y.pos || x.idx - y.idx);
  return parts.map((p) => formatPatchFile(p.file)).join("");
}
