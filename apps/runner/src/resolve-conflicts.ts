import { commitTree, mergeTree } from "@cadre/git";

export interface Rebased {
  /** The new base: the target branch's head. */
  base: string;
  /** The attempt's change replayed onto it; conflicted files carry conflict markers. */
  commit: string;
  conflictPaths: string[];
}

/**
 * Replays an attempt's change onto the current head of its branch (`branchHead`, which the server
 * read from the origin) for a resolve-conflicts turn. Where it conflicts, the merged tree keeps
 * git's conflict markers for the agent to resolve. Returns null when the branch has not moved.
 */
export async function rebaseForConflicts(
  mirror: string,
  branchHead: string,
  oldBase: string,
  head: string,
): Promise<Rebased | null> {
  const base = branchHead;
  if (base === oldBase) return null;
  const merged = await mergeTree(mirror, base, head, oldBase);
  const commit = await commitTree(mirror, {
    tree: merged.tree,
    parents: [base],
    message: "Cadre: attempt rebased for conflict resolution",
  });
  return { base, commit, conflictPaths: merged.conflictPaths };
}
