import { CadreError, type ConflictMatrix, type Repo } from "@cadre/protocol";
import { changedPaths, fetchMirror, mayConflict, mergeTree, tryResolveCommit } from "@cadre/git";
import type { ServerContext } from "./server-context.ts";
import { mirrorPath } from "./cadre-home.ts";

interface Candidate {
  taskId: string;
  attemptId: string;
  title: string;
  base: string;
  head: string;
  paths: string[];
}

/**
 * Checks every finished, unapplied task's chosen attempt against the target branch's head and
 * against each other with `git merge-tree --write-tree` (no working tree). Pairs on the same base
 * whose changed paths are disjoint cannot conflict and skip the merge, so the matrix costs one
 * cheap diff per task plus a merge only where changes overlap.
 */
export async function computeConflictMatrix(ctx: ServerContext, repo: Repo, target: string): Promise<ConflictMatrix> {
  const mirror = mirrorPath(ctx.home, repo.id);
  await fetchMirror(mirror);
  const targetCommit = await tryResolveCommit(mirror, `refs/heads/${target}`);
  if (!targetCommit) throw new CadreError("not_found", `branch '${target}' not found in ${repo.name}`);
  const { items } = await ctx.store.tasks.list({ repoId: repo.id, limit: 1000 });
  const candidates: Candidate[] = [];
  for (const t of items) {
    if (t.review.state !== "pending" || t.status === "queued") continue;
    const full = await ctx.store.tasks.get(t.id);
    const unchanged = (a: { headCommit: string | null; baseCommit: string | null }) =>
      !a.headCommit || a.headCommit === (a.baseCommit ?? t.baseCommit);
    const chosen =
      full?.attempts.find((a) => a.id === t.review.attemptId) ??
      full?.attempts.find((a) => a.status === "completed" && !unchanged(a));
    if (!chosen || chosen.status !== "completed" || unchanged(chosen)) continue;
    const base = chosen.baseCommit ?? t.baseCommit;
    const head = chosen.headCommit as string;
    candidates.push({
      taskId: t.id,
      attemptId: chosen.id,
      title: t.title,
      base,
      head,
      paths: await changedPaths(mirror, base, head),
    });
  }
  const targetPaths = new Map<string, string[]>();
  const targetChangesSince = async (base: string) => {
    let p = targetPaths.get(base);
    if (!p) targetPaths.set(base, (p = await changedPaths(mirror, base, targetCommit)));
    return p;
  };
  const check = async (aHead: string, bHead: string, skip: boolean) =>
    skip ? { clean: true, conflictPaths: [] as string[] } : mergeTree(mirror, aHead, bHead);

  const pairs: ConflictMatrix["pairs"] = [];
  for (const c of candidates) {
    const r = await check(targetCommit, c.head, !mayConflict(await targetChangesSince(c.base), c.paths));
    pairs.push({ a: "target", b: c.taskId, clean: r.clean, paths: r.conflictPaths });
  }
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i] as Candidate;
      const b = candidates[j] as Candidate;
      const r = await check(a.head, b.head, a.base === b.base && !mayConflict(a.paths, b.paths));
      pairs.push({ a: a.taskId, b: b.taskId, clean: r.clean, paths: r.conflictPaths });
    }
  }
  return {
    repoId: repo.id,
    target,
    targetCommit,
    tasks: candidates.map(({ taskId, attemptId, title }) => ({ taskId, attemptId, title })),
    pairs,
    computedAt: new Date().toISOString(),
  };
}
