import { CadreError, type ConflictMatrix, type Repo } from "@cadre/protocol";
import { fetchMirror, mergeTree, tryResolveCommit } from "@cadre/git";
import type { ServerContext } from "./server-context.ts";
import { mirrorPath } from "./cadre-home.ts";

/**
 * Checks every finished, unapplied task's chosen attempt against the target branch's head and
 * against each other with `git merge-tree --write-tree` (no working tree, nothing written but objects).
 */
export async function computeConflictMatrix(ctx: ServerContext, repo: Repo, target: string): Promise<ConflictMatrix> {
  const mirror = mirrorPath(ctx.home, repo.id);
  await fetchMirror(mirror);
  const targetCommit = await tryResolveCommit(mirror, `refs/heads/${target}`);
  if (!targetCommit) throw new CadreError("not_found", `branch '${target}' not found in ${repo.name}`);
  const { items } = await ctx.store.tasks.list({ repoId: repo.id, limit: 1000 });
  const candidates: ConflictMatrix["tasks"] = [];
  const commits = new Map<string, string>();
  for (const t of items) {
    if (t.review.state !== "pending") continue;
    const full = await ctx.store.tasks.get(t.id);
    const chosen = full?.attempts.find((a) => a.id === t.review.attemptId) ?? full?.attempts.find((a) => a.status === "completed" && a.headCommit && a.headCommit !== t.baseCommit);
    if (!chosen?.headCommit || chosen.status !== "completed" || chosen.headCommit === t.baseCommit) continue;
    candidates.push({ taskId: t.id, attemptId: chosen.id, title: t.title });
    commits.set(t.id, chosen.headCommit);
  }
  const pairs: ConflictMatrix["pairs"] = [];
  for (const c of candidates) {
    const r = await mergeTree(mirror, targetCommit, commits.get(c.taskId) as string);
    pairs.push({ a: "target", b: c.taskId, clean: r.clean, paths: r.conflictPaths });
  }
  for (let i = 0; i < candidates.length; i++) {
    for (let j = i + 1; j < candidates.length; j++) {
      const a = candidates[i]!;
      const b = candidates[j]!;
      const r = await mergeTree(mirror, commits.get(a.taskId) as string, commits.get(b.taskId) as string);
      pairs.push({ a: a.taskId, b: b.taskId, clean: r.clean, paths: r.conflictPaths });
    }
  }
  return { repoId: repo.id, target, targetCommit, tasks: candidates, pairs, computedAt: new Date().toISOString() };
}
