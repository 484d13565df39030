import { CadreError, isTerminal, type Attempt, type SelectionCounts, type TaskWithAttempts } from "@cadre/protocol";
import { fetchMirror } from "@cadre/git";
import { deliverBranch, deliverMerge } from "@cadre/delivery";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import type { Principal } from "../principal.ts";
import { mirrorPath } from "../cadre-home.ts";
import { requireRole } from "../access.ts";
import { pickAttempt } from "./task-handlers.ts";
import { computeConflictMatrix } from "../conflict-matrix.ts";
import { openPullRequest } from "../forge/approve-pull-request.ts";

export function slugOf(title: string, taskId: string): string {
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `cadre/${slug || "task"}-${taskId.slice(-6)}`;
}

/** A local pull of part of the change (fewer hunks than it has) leaves the review open. */
function isPartial(selected: SelectionCounts | undefined): selected is SelectionCounts {
  return selected !== undefined && selected.hunks < selected.totalHunks;
}

export function reviewHandlers(ctx: ServerContext): Pick<Handlers, "approveTask" | "rejectTask" | "repoConflicts"> {
  async function get(id: string): Promise<TaskWithAttempts> {
    const t = await ctx.store.tasks.get(id);
    if (!t) throw new CadreError("not_found", `task ${id} not found`);
    return t;
  }
  function finished(task: TaskWithAttempts, index: number | undefined): Attempt & { headCommit: string } {
    const a = pickAttempt(task, index, (x) => x.status === "completed", "has completed");
    if (!isTerminal(a.status))
      throw new CadreError("conflict", `attempt ${a.index} is ${a.status}: approve it once it has finished`);
    if (!a.headCommit || a.headCommit === (a.baseCommit ?? task.baseCommit))
      throw new CadreError("conflict", `attempt ${a.index} changed nothing: there is nothing to deliver`);
    return a as Attempt & { headCommit: string };
  }
  async function recordPull(
    task: TaskWithAttempts,
    attempt: Attempt,
    selected: SelectionCounts | undefined,
    principal: Principal,
  ): Promise<TaskWithAttempts> {
    if (isPartial(selected)) {
      const at = new Date().toISOString();
      await ctx.store.tasks.setPulled(task.id, { attemptId: attempt.id, selected, by: principal.user, at });
    } else {
      await ctx.store.tasks.setReview(task.id, {
        state: "applied",
        attemptId: attempt.id,
        delivery: { kind: "pulled_locally" },
        by: principal.user,
        reason: null,
      });
    }
    return get(task.id);
  }

  return {
    async approveTask({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      const repushing = task.review.delivery?.kind === "push_branch" && "pushBranch" in body;
      if (task.review.state !== "pending" && !repushing) {
        throw new CadreError("conflict", `task ${task.id} is already ${task.review.state}`);
      }
      const attempt = finished(task, body.attempt);
      if ("pulledLocally" in body) return recordPull(task, attempt, body.selected, principal);

      const repo = await ctx.store.repos.find(task.repoId);
      if (!repo) throw new CadreError("not_found", `repo ${task.repoId} not found`);
      if ("pullRequest" in body)
        return openPullRequest(ctx, {
          task,
          attempt,
          repo,
          principal,
          pullRequest: body.pullRequest,
          selection: body.selection,
        });
      const gitDir = mirrorPath(ctx.home, repo.id);
      const remote = await ctx.forges.remoteOptions(repo);
      await fetchMirror(gitDir, remote);
      const common = { store: ctx.store, env: ctx.env, gitDir, repo, task, attempt, selection: body.selection, remote };
      const delivery =
        "pushBranch" in body
          ? await deliverBranch({
              ...common,
              branch:
                body.pushBranch ??
                (task.review.delivery?.kind === "push_branch"
                  ? task.review.delivery.branch
                  : slugOf(task.title, task.id)),
            })
          : await deliverMerge({ ...common, branch: body.merge });
      await ctx.store.tasks.setReview(task.id, {
        state: "applied",
        attemptId: attempt.id,
        delivery,
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
