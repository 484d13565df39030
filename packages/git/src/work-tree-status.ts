import { CadreError } from "@cadre/protocol";
import { runGit } from "./run-git.ts";
import { splitNul } from "./git-dir.ts";
import { assertSafeRelPath } from "./safety.ts";

export interface StatusEntry {
  /** Path relative to the repository root. */
  path: string;
  /** Original path of a rename or copy. */
  oldPath: string | null;
  /** Status letter in the index (X of `git status --porcelain`), '.' when unchanged, '?' untracked. */
  index: string;
  /** Status letter in the work tree (Y), '.' when unchanged, '?' untracked. */
  workTree: string;
  untracked: boolean;
  /** Unmerged (a conflict to resolve). */
  conflicted: boolean;
}

export interface WorkTreeStatus {
  /** Absolute path of the work tree's root. */
  root: string;
  /** Current commit, null on an unborn branch. */
  head: string | null;
  /** Current branch, null when detached. */
  branch: string | null;
  clean: boolean;
  entries: StatusEntry[];
}

/** Status commands take no optional locks, so they never fight an editor's own git calls. */
export const STATUS_ENV = { GIT_OPTIONAL_LOCKS: "0" };

/** The root of the work tree containing `cwd`, or CadreError("bad_request"). */
export async function workTreeRoot(cwd: string): Promise<string> {
  const res = await runGit(["rev-parse", "--show-toplevel"], { cwd, okCodes: [0, 128] }).catch(() => null);
  const root = res?.code === 0 ? res.stdout.toString("utf8").trim() : "";
  if (!root)
    throw new CadreError(
      "bad_request",
      `${cwd} is not inside a git working tree: run this in a clone of the repository`,
    );
  return root;
}

function splitFields(record: string, count: number): string[] {
  const out: string[] = [];
  let rest = record;
  for (let k = 0; k < count; k++) {
    const sp = rest.indexOf(" ");
    if (sp < 0) break;
    out.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1);
  }
  out.push(rest);
  return out;
}

/**
 * Porcelain status of the work tree containing `cwd` (untracked files listed individually),
 * optionally limited to some paths (relative to the root).
 */
export async function workTreeStatus(cwd: string, opts: { paths?: string[] } = {}): Promise<WorkTreeStatus> {
  const root = await workTreeRoot(cwd);
  const paths = opts.paths ?? [];
  for (const p of paths) assertSafeRelPath(p);
  const args = [
    "--literal-pathspecs",
    "status",
    "--porcelain=v2",
    "-z",
    "--branch",
    "--untracked-files=all",
    "--ignore-submodules=none",
  ];
  if (paths.length > 0) args.push("--", ...paths);
  const out = await runGit(args, { cwd: root, env: STATUS_ENV });
  const tok = splitNul(out.stdout);
  let head: string | null = null;
  let branch: string | null = null;
  const entries: StatusEntry[] = [];
  for (let i = 0; i < tok.length; i++) {
    const rec = tok[i] as string;
    if (rec.startsWith("# branch.oid ")) {
      const v = rec.slice(13);
      head = v === "(initial)" ? null : v;
    } else if (rec.startsWith("# branch.head ")) {
      const v = rec.slice(14);
      branch = v === "(detached)" ? null : v;
    } else if (rec.startsWith("1 ")) {
      const f = splitFields(rec, 8);
      const xy = f[1] ?? "..";
      entries.push({
        path: f[8] ?? "",
        oldPath: null,
        index: xy[0] ?? ".",
        workTree: xy[1] ?? ".",
        untracked: false,
        conflicted: false,
      });
    } else if (rec.startsWith("2 ")) {
      const f = splitFields(rec, 9);
      const xy = f[1] ?? "..";
      entries.push({
        path: f[9] ?? "",
        oldPath: tok[++i] ?? null,
        index: xy[0] ?? ".",
        workTree: xy[1] ?? ".",
        untracked: false,
        conflicted: false,
      });
    } else if (rec.startsWith("u ")) {
      const f = splitFields(rec, 10);
      const xy = f[1] ?? "UU";
      entries.push({
        path: f[10] ?? "",
        oldPath: null,
        index: xy[0] ?? "U",
        workTree: xy[1] ?? "U",
        untracked: false,
        conflicted: true,
      });
    } else if (rec.startsWith("? ")) {
      entries.push({
        path: rec.slice(2),
        oldPath: null,
        index: "?",
        workTree: "?",
        untracked: true,
        conflicted: false,
      });
    }
  }
  return { root, head, branch, clean: entries.length === 0, entries };
}
