import { CadreError } from "@cadre/protocol";
import type { Principal } from "./principal.ts";
import type { ServerContext } from "./server-context.ts";

const WINDOW_MS = 60_000;
export const DEFAULT_TASKS_PER_MINUTE = 120;

/**
 * Task creation per user and minute, counted from the tasks table itself, so every server
 * instance enforces the same limit with no shared counter of its own.
 */
export async function checkTaskRate(ctx: ServerContext, p: Principal): Promise<void> {
  const raw = Number(ctx.env.CADRE_TASKS_PER_MINUTE ?? DEFAULT_TASKS_PER_MINUTE);
  const limit = Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_TASKS_PER_MINUTE;
  const recent = await ctx.store.users.tasksCreatedSince(p.user, WINDOW_MS);
  if (recent >= limit) {
    throw new CadreError(
      "rate_limited",
      `user '${p.user}' created ${recent} tasks in the last minute (limit ${limit}): wait a minute, or ask the admin to raise CADRE_TASKS_PER_MINUTE`,
    );
  }
}
