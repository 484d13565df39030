import { runGitIn, splitNul } from "./git-dir.ts";

/** Paths that differ between two commits, without rename pairing (a rename is its two paths). */
export async function changedPaths(gitDir: string, base: string, head: string): Promise<string[]> {
  if (base === head) return [];
  const res = await runGitIn(gitDir, ["diff", "--name-only", "--no-renames", "-z", "--end-of-options", base, head]);
  return splitNul(res.stdout).filter(Boolean);
}

/**
 * Whether two changes made on the same base may conflict: only if they touch a common path, or
 * one touches a path the other makes a directory of (file/directory conflicts). Disjoint changes
 * always merge cleanly, so callers can skip the merge for them.
 */
export function mayConflict(a: readonly string[], b: readonly string[]): boolean {
  const withParents = (paths: readonly string[]) => {
    const out = new Set<string>();
    for (const p of paths) {
      out.add(p);
      for (let i = p.indexOf("/"); i > 0; i = p.indexOf("/", i + 1)) out.add(p.slice(0, i));
    }
    return out;
  };
  // A path of one side equal to a path, or a parent directory of a path, of the other.
  const aAll = withParents(a);
  const bAll = withParents(b);
  return a.some((p) => bAll.has(p)) || b.some((p) => aAll.has(p));
}
