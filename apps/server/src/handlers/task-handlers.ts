import { CadreError, isTerminal, statusEvent, takesInput, type Attempt, type TaskWithAttempts } from "@cadre/protocol";
import type { RunInput } from "@cadre/store";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { prepareTask } from "../tasks/prepare-task.ts";
import { requireRole, visibleRepoIds } from "../access.ts";

/** Picks the attempt an action applies to: the one named, else the only one matching `filter`. */
export function pickAttempt(
  task: TaskWithAttempts,
  index: number | undefined,
  filter: (a: Attempt) => boolean,
  what: string,
): Attempt {
  if (index !== undefined) {
    const a = task.attempts.find((x) => x.index === index);
    if (!a) throw new CadreError("not_found", `task ${task.id} has no attempt ${index} (it has ${task.attemptCount})`);
    return a;
  }
  const matching = task.attempts.filter(filter);
  if (matching.length === 1) return matching[0] as Attempt;
  if (matching.length === 0)
    throw new CadreError(
      "conflict",
      `no attempt of task ${task.id} ${what} (statuses: ${task.attempts.map((a) => `#${a.index} ${a.status}`).join(", ")})`,
    );
  throw new CadreError(
    "bad_request",
    `several attempts of task ${task.id} ${what}: choose one with --attempt N (attempt: N in the API)`,
  );
}

export function taskHandlers(
  ctx: ServerContext,
): Pick<
  Handlers,
  "listTasks" | "createTask" | "getTask" | "cancelTask" | "followupTask" | "answerTask" | "approvePlan" | "rejectPlan"
> {
  async function get(id: string): Promise<TaskWithAttempts> {
    const t = await ctx.store.tasks.get(id);
    if (!t) throw new CadreError("not_found", `task ${id} not found`, undefined, "cadre task list");
    return t;
  }

  async function resume(taskId: string, attempt: Attempt, input: RunInput, refusal: string): Promise<TaskWithAttempts> {
    if (!(await ctx.store.attempts.requestRun(attempt.id, input))) throw new CadreError("conflict", refusal);
    return get(taskId);
  }

  return {
    async listTasks({ query, principal }) {
      let repoId: string | undefined;
      if (query.repo) {
        const repo = await ctx.store.repos.find(query.repo);
        if (!repo) return { items: [], nextCursor: null };
        repoId = repo.id;
      }
      return ctx.store.tasks.list({
        status: query.status,
        repoId,
        repoIds: await visibleRepoIds(ctx, principal),
        q: query.q,
        limit: query.limit,
        cursor: query.cursor,
      });
    },

    getTask: async ({ params }) => get(params.id),

    async createTask({ body, principal }) {
      requireRole(principal, "member");
      const { repo: _repo, ...task } = await prepareTask(ctx, body, principal.user);
      return get(await ctx.store.tasks.create(task));
    },

    async cancelTask({ params, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      for (const a of task.attempts) {
        if (isTerminal(a.status)) continue;
        await ctx.store.attempts.requestCancel(a.id);
        // An attempt no runner holds (queued, or waiting for input) is ended here; a running one by its runner.
        const holder = `server_${process.pid}`;
        if (await ctx.store.attempts.takeIdle(a.id, holder)) {
          await ctx.store.events.append(
            a.id,
            a.turnCount,
            [statusEvent("cancel", { message: `cancelled by ${principal.user}` })],
            { runnerId: holder },
          );
        }
      }
      return get(params.id);
    },

    async followupTask({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      if (task.review.state === "rejected")
        throw new CadreError("conflict", `task ${task.id} was rejected: start a new task instead`);
      const preferred = task.review.attemptId;
      const attempt = pickAttempt(
        task,
        body.attempt,
        (a) => (preferred ? a.id === preferred : isTerminal(a.status) && a.status !== "cancelled"),
        "can take a follow-up",
      );
      const input: RunInput = body.resolveConflicts
        ? {
            kind: "resolve_conflicts",
            text: body.text || "Rebase onto the target branch's new head and resolve the conflicts.",
          }
        : { kind: "followup", text: body.text };
      return resume(
        task.id,
        attempt,
        input,
        `attempt ${attempt.index} is ${attempt.status}: a follow-up can be sent once it has finished`,
      );
    },

    async answerTask({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      const attempt = pickAttempt(
        task,
        body.attempt,
        (a) => takesInput(a.status, "answer") && a.waitingFor === "answer",
        "is waiting for an answer",
      );
      return resume(
        task.id,
        attempt,
        { kind: "answer", text: body.text },
        `attempt ${attempt.index} is not waiting for an answer (it is ${attempt.status})`,
      );
    },

    async approvePlan({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      const attempt = pickAttempt(
        task,
        body.attempt,
        (a) => a.waitingFor === "plan_approval",
        "is waiting for plan approval",
      );
      const text = body.comment ? `The plan is approved. ${body.comment}` : "The plan is approved: carry it out.";
      return resume(
        task.id,
        attempt,
        { kind: "plan_approved", text },
        `attempt ${attempt.index} has no plan waiting for approval`,
      );
    },

    async rejectPlan({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await get(params.id);
      const attempt = pickAttempt(
        task,
        body.attempt,
        (a) => a.waitingFor === "plan_approval",
        "is waiting for plan approval",
      );
      const text = `The plan is rejected.${body.comment ? ` Comments: ${body.comment}` : ""} Revise the plan.`;
      return resume(
        task.id,
        attempt,
        { kind: "plan_rejected", text },
        `attempt ${attempt.index} has no plan waiting for approval`,
      );
    },
  };
}
