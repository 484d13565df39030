import { describeDelivery } from "@cadre/protocol";
import type { AutomationRecord } from "@cadre/store";
import { BOOTSTRAP_ADMIN } from "../authenticate.ts";
import { reviewHandlers } from "../handlers/review-handlers.ts";
import type { Principal } from "../principal.ts";
import type { ServerContext } from "../server-context.ts";

async function creator(ctx: ServerContext, automation: AutomationRecord): Promise<Principal> {
  if (automation.createdBy === BOOTSTRAP_ADMIN) return { user: BOOTSTRAP_ADMIN, role: "admin" };
  const user = await ctx.store.users.find(automation.createdBy);
  return { user: automation.createdBy, role: user?.role ?? "viewer" };
}

/**
 * Delivers a completed run's change as its automation says, through the same approve path a
 * person uses (as the automation's creator): a pull request on the forge, or a pushed branch.
 * Returns what happened, in a line; throws when delivery failed. Safe to call again for a task
 * already delivered.
 */
export async function deliverRun(ctx: ServerContext, automation: AutomationRecord, taskId: string): Promise<string> {
  if (automation.deliver === "none") return "left for review";
  const task = await ctx.store.tasks.get(taskId);
  const changed = task?.attempts.some(
    (attempt) =>
      attempt.status === "completed" &&
      attempt.headCommit &&
      attempt.headCommit !== (attempt.baseCommit ?? task.baseCommit),
  );
  if (!task || !changed) return "nothing changed";
  // A server that died after delivering but before ending the run: the run is taken up again, and
  // what was delivered is kept rather than delivered twice.
  if (task.review.state !== "pending" && task.review.delivery) return describeDelivery(task.review.delivery);
  const principal = await creator(ctx, automation);
  const body = automation.deliver === "pr" ? { pullRequest: { draft: false } } : { pushBranch: null };
  const delivered = await reviewHandlers(ctx).approveTask({ params: { id: taskId }, query: {}, body, principal });
  return delivered.review.delivery ? describeDelivery(delivered.review.delivery) : "delivered";
}
