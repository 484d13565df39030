import type { EventBody } from "@cadre/protocol";
import { IllegalTransitionError, isParked, isTerminal, statusesBefore, type AttemptStatus } from "@cadre/protocol";
import type { Sql } from "./sql.ts";

/** Where an event sits: its attempt, the turn it belongs to and its number. */
export interface EventPlace {
  attemptId: string;
  turn: number;
  seq: number;
}

type Projector<T extends EventBody["type"]> = (
  tx: Sql,
  place: EventPlace,
  event: Extract<EventBody, { type: T }>,
) => Promise<boolean>;

type Projectors = { [T in EventBody["type"]]?: Projector<T> };

/**
 * The one place events become attempt and turn rows: every column that follows the attempt's work
 * (status, usage, turns, head and base commits, diff stats, summary, test result) is written here,
 * in the transaction that stores the event, so the rows are always what the log says.
 * Each projector returns whether the task's listing changed (its subscribers are told).
 */
const PROJECTORS: Projectors = {
  status: projectStatus,
  usage: projectUsage,
  checkpoint: projectCheckpoint,
  turn_started: projectTurnStarted,
  user_message: projectUserMessage,
  turn_completed: projectTurnCompleted,
  tool_result: projectToolResult,
  notice: projectNotice,
};

/** Keeps the attempt/turn rows in step with the event log. Returns whether the task's listing changed. */
export async function projectEvent(tx: Sql, place: EventPlace, event: EventBody): Promise<boolean> {
  const projector = PROJECTORS[event.type] as Projector<typeof event.type> | undefined;
  return projector ? projector(tx, place, event) : false;
}

async function projectStatus(tx: Sql, { attemptId }: EventPlace, e: Extract<EventBody, { type: "status" }>) {
  const terminal = isTerminal(e.status);
  const parked = isParked(e.status);
  // The lifecycle guards every status write, whoever appends it (runner or server).
  const moved = await tx.query(
    `update attempts set status = $2, waiting_for = $3, failure_reason = $4, failure_message = $5,
       started_at = case when $2 in ('provisioning', 'running') and started_at is null then now() else started_at end,
       finished_at = case when $6 then now() else null end,
       needs_run = case when $7 then false else needs_run end,
       runner_id = case when $7 then null else runner_id end,
       lease_expires_at = case when $7 then null else lease_expires_at end
     where id = $1 and status = any($8::text[]) returning id`,
    [
      attemptId,
      e.status,
      e.waitingFor ?? null,
      e.reason ?? null,
      e.message ?? null,
      terminal,
      parked,
      statusesBefore(e.status),
    ],
  );
  if (moved.length === 0) await refuseTransition(tx, attemptId, e.status);
  return true;
}

async function projectUsage(tx: Sql, { attemptId }: EventPlace, e: Extract<EventBody, { type: "usage" }>) {
  await tx.query(
    `update attempts set usage = jsonb_build_object(
       'inputTokens', (usage->>'inputTokens')::bigint + $2,
       'cachedInputTokens', (usage->>'cachedInputTokens')::bigint + $3,
       'outputTokens', (usage->>'outputTokens')::bigint + $4,
       'reasoningTokens', (usage->>'reasoningTokens')::bigint + $5,
       'costUsd', (usage->>'costUsd')::float8 + $6) where id = $1`,
    [
      attemptId,
      e.usage.inputTokens,
      e.usage.cachedInputTokens,
      e.usage.outputTokens,
      e.usage.reasoningTokens,
      e.usage.costUsd,
    ],
  );
  return true;
}

async function projectCheckpoint(tx: Sql, { attemptId }: EventPlace, e: Extract<EventBody, { type: "checkpoint" }>) {
  await tx.query("update attempts set head_commit = $2, base_commit = coalesce($3, base_commit) where id = $1", [
    attemptId,
    e.commit,
    e.base ?? null,
  ]);
  return false;
}

async function projectTurnStarted(tx: Sql, { attemptId }: EventPlace, e: Extract<EventBody, { type: "turn_started" }>) {
  await tx.query(
    `insert into turns (attempt_id, idx, kind, prompt, status) values ($1, $2, $3, '', 'running')
     on conflict (attempt_id, idx) do update set status = 'running'`,
    [attemptId, e.turn, e.turn === 1 ? "initial" : "followup"],
  );
  await tx.query("update attempts set turn_count = greatest(turn_count, $2) where id = $1", [attemptId, e.turn]);
  return false;
}

async function projectUserMessage(
  tx: Sql,
  { attemptId, turn, seq }: EventPlace,
  e: Extract<EventBody, { type: "user_message" }>,
) {
  if (e.kind === "message") {
    if (e.messageId)
      await tx.query("update attempt_messages set delivered_seq = $3 where id = $1 and attempt_id = $2", [
        e.messageId,
        attemptId,
        seq,
      ]);
    return false;
  }
  if (e.kind === "prompt" || e.kind === "followup" || e.kind === "resolve_conflicts") {
    const kind = e.kind === "prompt" ? "initial" : e.kind;
    await tx.query("update turns set kind = $3, prompt = $4 where attempt_id = $1 and idx = $2", [
      attemptId,
      turn,
      kind,
      e.text,
    ]);
  }
  await tx.query("update attempts set pending_input = null where id = $1", [attemptId]);
  return false;
}

async function projectTurnCompleted(
  tx: Sql,
  { attemptId }: EventPlace,
  e: Extract<EventBody, { type: "turn_completed" }>,
) {
  await tx.query(
    "update turns set status = 'completed', checkpoint_commit = $3, finished_at = now() where attempt_id = $1 and idx = $2",
    [attemptId, e.turn, e.commit],
  );
  await tx.query(
    `update attempts set head_commit = coalesce($2, head_commit), diff_stats = coalesce($3::jsonb, diff_stats),
       summary = coalesce($4, summary) where id = $1`,
    [attemptId, e.commit, e.changes ? JSON.stringify(e.changes) : null, e.summary ?? null],
  );
  return false;
}

/** A run of the environment's test command by the agent: the attempt's test result until the final run. */
async function projectToolResult(tx: Sql, { attemptId }: EventPlace, e: Extract<EventBody, { type: "tool_result" }>) {
  if (!e.testRun || e.interrupted) return false;
  await tx.query("update attempts set tests_passed = $2 where id = $1", [attemptId, e.exitCode === 0]);
  return false;
}

/** The final run of the test command, told in a notice: the attempt's test result. */
async function projectNotice(tx: Sql, { attemptId }: EventPlace, e: Extract<EventBody, { type: "notice" }>) {
  if (e.testsPassed === undefined || e.testsPassed === null) return false;
  await tx.query("update attempts set tests_passed = $2 where id = $1", [attemptId, e.testsPassed]);
  return false;
}

/** An illegal status change (say completed → running): refused, so the transaction stores nothing. */
async function refuseTransition(tx: Sql, attemptId: string, to: AttemptStatus): Promise<never> {
  const rows = await tx.query<{ status: AttemptStatus }>("select status from attempts where id = $1", [attemptId]);
  throw new IllegalTransitionError(attemptId, rows[0]?.status ?? null, to);
}
