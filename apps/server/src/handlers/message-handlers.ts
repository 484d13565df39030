import { CadreError, isActive, isTerminal, statusLabel, type Attempt } from "@cadre/protocol";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { requireRole } from "../access.ts";
import { pickAttempt } from "./task-handlers.ts";

/** Running, or about to run: a message sent now reaches the agent at its next step. */
function takesMessages(attempt: Attempt): boolean {
  return isActive(attempt.status);
}

/** Why an attempt cannot take a message now, what to send instead, and the CLI command for it. */
function refusal(taskId: string, attempt: Attempt): CadreError {
  const refuse = (message: string, command?: string) => new CadreError("conflict", message, undefined, command);
  if (attempt.status === "waiting_for_input")
    return attempt.waitingFor === "plan_approval"
      ? refuse(
          `attempt ${attempt.index} is waiting for its plan to be approved: approve or reject the plan instead`,
          `cadre plan approve ${taskId}`,
        )
      : refuse(
          `attempt ${attempt.index} is waiting for your answer: answer its question instead`,
          `cadre answer ${taskId}`,
        );
  if (isTerminal(attempt.status))
    return refuse(
      `attempt ${attempt.index} has ${attempt.status === "completed" ? "finished" : `ended (${statusLabel(attempt.status).toLowerCase()})`}: send a follow-up instead`,
      `cadre followup ${taskId} <text>`,
    );
  return refuse(
    `attempt ${attempt.index} is ${statusLabel(attempt.status).toLowerCase()}: it cannot take a message now`,
  );
}

export function messageHandlers(ctx: ServerContext): Pick<Handlers, "sendMessage"> {
  return {
    async sendMessage({ params, body, principal }) {
      requireRole(principal, "member");
      const task = await ctx.store.tasks.get(params.id);
      if (!task) throw new CadreError("not_found", `task ${params.id} not found`, undefined, "cadre task list");
      const only = task.attempts.length === 1 && body.attempt === undefined ? task.attempts[0] : undefined;
      const attempt = only ?? pickAttempt(task, body.attempt, takesMessages, "is running");
      const sent = await ctx.store.messages.add({
        attemptId: attempt.id,
        text: body.text,
        stop: body.stop,
        createdBy: principal.user,
      });
      if (!sent) throw refusal(task.id, attempt);
      return sent;
    },
  };
}
