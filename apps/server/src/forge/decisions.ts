import { CadreError } from "@cadre/protocol";
import { ForgeLinkQueries, ForgeWorkQueries, TaskQueries, type ForgeLink, type NewTask, type Sql } from "@cadre/store";
import type { ForgeJob } from "./forge-jobs.ts";

/** The forge object (forgeObjectKey) a decision acts on: only the first delivery that brings it acts. */
interface OnObject {
  object?: string;
}

/**
 * What a forge event leads to. Deciding reads the forge and the store (and may be repeated after
 * a crash); applying writes, in one transaction with the delivery marked done, so a delivery's
 * work happens exactly once, and work on one forge object once whichever deliveries bring it.
 */
export type Decision =
  | { kind: "ignore"; reason: string }
  | (OnObject & {
      kind: "create_task";
      task: NewTask;
      link: Omit<ForgeLink, "taskId" | "attemptId" | "deliveredCommit" | "handledSeq" | "autoFollowups" | "checkId">;
      /** Jobs to queue for the new task (acknowledge, a pending check…). */
      jobs: (taskId: string) => ForgeJob[];
      outcome: (taskId: string) => string;
    })
  | (OnObject & { kind: "write"; outcome: string; apply: (tx: Sql) => Promise<string | void> });

type Target = { forgeId: string; deliveryId: string; holder: string };

/** The claim on a delivery passed to another worker: this one's writes are rolled back. */
export class ClaimLostError extends CadreError {
  constructor(deliveryId: string) {
    super("conflict", `delivery ${deliveryId} was taken over by another worker`);
  }
}

export function ignore(reason: string): Decision {
  return { kind: "ignore", reason };
}

export async function queueJobs(tx: Sql, jobs: ForgeJob[]): Promise<void> {
  const work = new ForgeWorkQueries(tx);
  for (const job of jobs) await work.enqueueJob(tx, job);
}

/** Applies one decision; `acted` is false when it was, or became, an ignore. */
async function applyOne(tx: Sql, target: Target, decision: Decision): Promise<{ outcome: string; acted: boolean }> {
  if (decision.kind === "ignore") return { outcome: `ignored: ${decision.reason}`, acted: false };
  if (decision.object) {
    const holder = await new ForgeWorkQueries(tx).claimObject(tx, { ...target, key: decision.object });
    if (holder) return { outcome: `ignored: delivery ${holder} already acted on ${decision.object}`, acted: false };
  }
  return { outcome: await applyWork(tx, decision), acted: true };
}

async function applyWork(tx: Sql, decision: Exclude<Decision, { kind: "ignore" }>): Promise<string> {
  if (decision.kind === "write") return (await decision.apply(tx)) ?? decision.outcome;
  const links = new ForgeLinkQueries(tx);
  const taskId = await new TaskQueries(tx).create(decision.task, async (inner, id) => {
    const rows = await inner.query<{ id: string }>("select id from attempts where task_id = $1 and idx = 1", [id]);
    await links.create(inner, { ...decision.link, taskId: id, attemptId: (rows[0] as { id: string }).id });
    await queueJobs(inner, decision.jobs(id));
  });
  return decision.outcome(taskId);
}

/**
 * Applies a delivery's decisions and marks it done (or ignored, when all were) in one transaction,
 * fenced by the worker's claim.
 */
export async function applyDecisions(
  db: { transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> },
  delivery: Target,
  decisions: Decision[],
): Promise<string> {
  return db.transaction(async (tx) => {
    const outcomes: string[] = [];
    let ignored = true;
    for (const decision of decisions) {
      const applied = await applyOne(tx, delivery, decision);
      outcomes.push(applied.outcome);
      ignored &&= !applied.acted;
    }
    const outcome = outcomes.join("; ") || "ignored: nothing Cadre handles";
    const finished = await new ForgeWorkQueries(tx).finishDelivery(tx, {
      ...delivery,
      state: ignored ? "ignored" : "done",
      outcome,
    });
    if (!finished) throw new ClaimLostError(delivery.deliveryId);
    return outcome;
  });
}
