import { CadreError, type Attempt, type TaskWithAttempts } from "@cadre/protocol";
import { fetchMirror, mergeCommit, pushRefs, rebaseCommit, tryResolveCommit, updateRef } from "@cadre/git";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { mirrorPath } from "../cadre-home.ts";
import { requireRole } from "../access.ts";
import { pickAttempt } from "./task-handlers.ts";
import { computeConflictMatrix } from "../conflict-matrix.ts";

export function slugOf(title: string, taskId: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `cadre/${slug || "task"}-${taskId.slice(-6)}`;
}

export function reviewHandlers(ctx: ServerContext): Pick<Handlers, "approveTask" | "rejectTask" | "repoConflicts"> {
  async function get(id: string): Promise<TaskWithAttempts> {
    const t = await ctx.store.tasks.get(id);
    if (!t) throw new CadreError("not_found", `task ${id} not found`);
    return t;
  }
  function finished(task: TaskWithAttempts, index: number | undefined): Attempt & { headCommit: string } {
    const a = pickAttempt(task, index, (x) => x.status === "completed", "has completed");
    if (a.status !== "completed" && a.status !== "failed" && a.status !== "cancelled")
      throw new CadreError("conflict", `attempt ${a.index} is ${a.status}: approve it once it has finished`);
    if (!a.headCommit || a.headCommit === (a.baseCommit ?? task.baseCommit))
      throw new CadreError("conflict", `attempt ${a.index} changed nothing: there is nothing to deliver`);
    return a as Attempt & { headCommit: string };
  }

  return {
    async approveTask({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      if (task.review.state !== "pending" && !(task.review.delivery?.kind === "push_branch" && "pushBranch" in body)) {
        throw new CadreError("conflict", `task ${task.id} is already ${task.review.state}`);
      }
      const attempt = finished(task, body.attempt);
      const repo = await ctx.store.repos.find(task.repoId);
      if (!repo) throw new CadreError("not_found", `repo ${task.repoId} not found`);
      const mirror = mirrorPath(ctx.home, repo.id);

      if ("pulledLocally" in body) {
        await ctx.store.tasks.setReview(task.id, {
          state: "applied",
          attemptId: attempt.id,
          delivery: { kind: "pulled_locally" },
          by: principal.user,
          reason: null,
        });
        return get(task.id);
      }

      await fetchMirror(mirror);
      if ("pushBranch" in body) {
        const branch =
          body.pushBranch ??
          (task.review.delivery?.kind === "push_branch" ? task.review.delivery.branch : slugOf(task.title, task.id));
        await pushRefs(mirror, repo.origin, [{ src: attempt.headCommit, dst: `refs/heads/${branch}`, force: true }]);
        await updateRef(mirror, `refs/heads/${branch}`, attempt.headCommit);
        await ctx.store.tasks.setReview(task.id, {
          state: "applied",
          attemptId: attempt.id,
          delivery: { kind: "push_branch", branch, commit: attempt.headCommit },
          by: principal.user,
          reason: null,
        });
        return get(task.id);
      }

      const branch = body.merge;
      const target = await tryResolveCommit(mirror, `refs/heads/${branch}`);
      if (!target)
        throw new CadreError(
          "not_found",
          `branch '${branch}' does not exist in ${repo.name}: use --push-branch ${branch} to create it`,
        );
      let change = attempt.headCommit;
      const base = attempt.baseCommit ?? task.baseCommit;
      let moved = false;
      if (target !== base) {
        moved = true;
        if (body.rebase) {
          const r = await rebaseCommit({ gitDir: mirror, commit: attempt.headCommit, oldBase: base, newBase: target });
          if (!r.clean || !r.commit)
            throw new CadreError(
              "conflict",
              `the change conflicts with ${branch} in ${r.conflictPaths.join(", ")}: resolve with 'cadre followup ${task.id} --resolve-conflicts'`,
              { conflictPaths: r.conflictPaths },
            );
          change = r.commit;
        }
      }
      const merged = await mergeCommit({
        gitDir: mirror,
        targetCommit: target,
        attemptCommit: change,
        message: `Merge Cadre task ${task.id}: ${task.title}`,
      });
      if (!merged.clean || !merged.commit) {
        throw new CadreError(
          "conflict",
          `${branch} moved since the task started and the change no longer applies cleanly (conflicts in ${merged.conflictPaths.join(", ")}); nothing was changed. Rebase with 'cadre approve ${task.id} --merge ${branch} --rebase' or resolve with 'cadre followup ${task.id} --resolve-conflicts'`,
          { conflictPaths: merged.conflictPaths, moved },
        );
      }
      // Push first with the expected old value; the mirror's branch moves only once the origin has it.
      await pushRefs(mirror, repo.origin, [{ src: merged.commit, dst: `refs/heads/${branch}` }]);
      await updateRef(mirror, `refs/heads/${branch}`, merged.commit);
      await ctx.store.tasks.setReview(task.id, {
        state: "applied",
        attemptId: attempt.id,
        delivery: { kind: "merge", branch, commit: merged.commit },
        by: principal.user,
        reason: null,
      });
      return get(task.id);
    },

    async rejectTask({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      if (task.review.state !== "pending")
        throw new CadreError("conflict", `task ${task.id} is already ${task.review.state}`);
      await ctx.store.tasks.setReview(task.id, {
        state: "rejected",
        attemptId: null,
        delivery: null,
        by: principal.user,
        reason: body.reason ?? null,
      });
      return get(task.id);
    },

    async repoConflicts({ params, query }) {
      const repo = await ctx.store.repos.find(params.id);
      if (!repo) throw new CadreError("not_found", `repo ${params.id} not found`);
      return computeConflictMatrix(ctx, repo, query.target ?? repo.defaultBranch);
    },
  };
}
