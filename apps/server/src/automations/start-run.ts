import { CadreError, CreateTask, type AutomationRun, type AutomationTaskOrigin } from "@cadre/protocol";
import { AutomationQueries, TaskQueries, type AutomationRecord, type NewTask, type Sql } from "@cadre/store";
import { BOOTSTRAP_ADMIN } from "../authenticate.ts";
import type { ServerContext } from "../server-context.ts";
import { prepareTask, titleOf } from "../tasks/prepare-task.ts";

/** What starts one run: the trigger, a line saying what happened, text for the prompt, where to start. */
export interface RunStart {
  trigger: AutomationRun["trigger"];
  detail: string;
  /** Added to the automation's prompt (the fire call's text, the forge event's description). */
  text?: string;
  /** Branch or commit the task starts from (default: the repo's default branch). */
  baseRef?: string;
  /** Unique per automation (a schedule's slot, a forge delivery): a second start of it does nothing. */
  slotKey: string | null;
}

/** Another instance took the slot first: the task made for it is rolled back. */
class SlotTaken extends Error {}

/** The automation's creator must still be allowed to run tasks on its repo. */
async function requireCreatorAccess(ctx: ServerContext, automation: AutomationRecord): Promise<void> {
  if (automation.createdBy === BOOTSTRAP_ADMIN) return;
  const user = await ctx.store.users.find(automation.createdBy);
  const granted =
    user?.role === "admin" || (await ctx.store.users.grantedRepos(automation.createdBy)).includes(automation.repoId);
  if (!user || user.role === "viewer" || !granted)
    throw new CadreError(
      "forbidden",
      `${automation.createdBy}, who made the automation, may no longer run tasks on ${automation.repoName}: an admin grants access again, or remakes the automation`,
    );
}

/** The task a run would create (repo fetched, base commit resolved), or the reason it cannot start. */
export async function prepareRun(ctx: ServerContext, automation: AutomationRecord, start: RunStart): Promise<NewTask> {
  await requireCreatorAccess(ctx, automation);
  const prompt = start.text?.trim() ? `${automation.prompt}\n\n${start.text.trim()}` : automation.prompt;
  const body = CreateTask.parse({
    prompt,
    repo: automation.repoId,
    mode: automation.mode,
    title: `${automation.name}: ${titleOf(automation.prompt)}`.slice(0, 200),
    ...(automation.environmentId ? { environment: automation.environmentId } : {}),
    ...(start.baseRef ? { baseRef: start.baseRef } : {}),
  });
  const origin: AutomationTaskOrigin = {
    kind: "automation",
    automationId: automation.id,
    name: automation.name,
    trigger: start.trigger,
    detail: start.detail,
  };
  const { repo: _repo, ...task } = await prepareTask(ctx, body, automation.createdBy, { origin });
  return task;
}

/** Inserts the task and its run in one transaction; null when the slot already has a run. */
export async function insertRun(
  sql: Sql,
  automation: AutomationRecord,
  start: RunStart,
  task: NewTask,
): Promise<string | null> {
  let runId: string | null = null;
  try {
    await new TaskQueries(sql).create(task, async (tx, taskId) => {
      runId = await new AutomationQueries(tx).addRun(tx, { ...runFields(automation, start), taskId, state: "running" });
      if (!runId) throw new SlotTaken();
    });
  } catch (error) {
    if (error instanceof SlotTaken) return null;
    throw error;
  }
  return runId;
}

/** Records a run that could not start (it counts as a failure); null when the slot already has a run. */
export function failedRun(
  sql: Sql,
  automation: AutomationRecord,
  start: RunStart,
  error: unknown,
): Promise<string | null> {
  const message = error instanceof Error ? error.message : String(error);
  return sql.transaction((tx) =>
    new AutomationQueries(tx).addRun(tx, {
      ...runFields(automation, start),
      taskId: null,
      state: "failed",
      error: message,
    }),
  );
}

/**
 * Starts one run: the task is prepared, then inserted with its run row in one transaction, so a
 * slot two instances reach at once gets one task. A run that cannot start is recorded as failed.
 */
export async function startRun(
  ctx: ServerContext,
  automation: AutomationRecord,
  start: RunStart,
): Promise<string | null> {
  if (start.slotKey && (await ctx.store.automations.hasRun(automation.id, start.slotKey))) return null;
  let task: NewTask;
  try {
    task = await prepareRun(ctx, automation, start);
  } catch (error) {
    return failedRun(ctx.store.db, automation, start, error);
  }
  return insertRun(ctx.store.db, automation, start, task);
}

function runFields(
  automation: AutomationRecord,
  start: RunStart,
): { automationId: string; trigger: RunStart["trigger"]; detail: string; slotKey: string | null } {
  return { automationId: automation.id, trigger: start.trigger, detail: start.detail, slotKey: start.slotKey };
}
