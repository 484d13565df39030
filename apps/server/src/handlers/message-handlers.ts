import { CadreError, isTerminal, type Attempt } from "@cadre/protocol";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { requireRole } from "../access.ts";
import { pickAttempt } from "./task-handlers.ts";

/** Running, or about to run: a message sent now reaches the agent at its next step. */
function takesMessages(attempt: Attempt): boolean {
  return attempt.status === "queued" || attempt.status === "provisioning" || attempt.status === "running";
}

/** Why an attempt cannot take a message now, and what to send instead. */
function refusal(taskId: string, attempt: Attempt): string {
  if (attempt.status === "waiting_for_input")
    return attempt.waitingFor === "plan_approval"
      ? `attempt ${attempt.index} is waiting for its plan to be approved: approve or reject the plan (cadre plan approve ${taskId})`
      : `attempt ${attempt.index} is waiting for your answer: answer it instead (cadre answer ${taskId} <text>)`;
  if (isTerminal(attempt.status))
    return `attempt ${attempt.index} has ${attempt.status === "completed" ? "finished" : `ended (${attempt.status})`}: send a follow-up instead (cadre followup ${taskId} <text>)`;
  return `attempt ${attempt.index} is ${attempt.status}: it cannot take a message now`;
}

export function messageHandlers(ctx: ServerContext): Pick<Handlers, "sendMessage"> {
  return {
    async sendMessage({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await ctx.store.tasks.get(params.id);
      if (!task) throw new CadreError("not_found", `task ${params.id} not found: list tasks with 'cadre task list'`);
      const only = task.attempts.length === 1 && body.attempt === undefined ? task.attempts[0] : undefined;
      const attempt = only ?? pickAttempt(task, body.attempt, takesMessages, "is running");
      const sent = await ctx.store.messages.add({
        attemptId: attempt.id,
        text: body.text,
        stop: body.stop,
        createdBy: principal.user,
      });
      if (!sent) throw new CadreError("conflict", refusal(task.id, attempt));
      return sent;
    },
  };
}
