import type { Attempt, Turn } from "@cadre/protocol";
import { INPUT_TAKEN_IN } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { toAttempt, toTurn, type AttemptRow, type TurnRow } from "./rows.ts";
import type { RunInput } from "./run-input.ts";
import { TERMINAL_SQL } from "./status-sql.ts";

export interface AttemptRecord extends Attempt {
  needsRun: boolean;
  pendingInput: RunInput | null;
  cancelRequested: boolean;
  leaseExpiresAt: string | null;
}

export function toAttemptRecord(r: AttemptRow): AttemptRecord {
  const pending =
    r.pending_input === null || r.pending_input === undefined
      ? null
      : ((typeof r.pending_input === "string" ? JSON.parse(r.pending_input) : r.pending_input) as RunInput);
  return {
    ...toAttempt(r),
    needsRun: r.needs_run,
    pendingInput: pending,
    cancelRequested: r.cancel_requested,
    leaseExpiresAt: r.lease_expires_at ? new Date(r.lease_expires_at).toISOString() : null,
  };
}

export class AttemptQueries {
  constructor(private readonly sql: Sql) {}

  async get(id: string): Promise<AttemptRecord | null> {
    const rows = await this.sql.query<AttemptRow>("select * from attempts where id = $1", [id]);
    return rows[0] ? toAttemptRecord(rows[0]) : null;
  }

  /** Who holds the attempt and where it belongs: for the checks of the runner API and git pushes. */
  async holder(id: string): Promise<{ runnerId: string | null; taskId: string; repoId: string } | null> {
    const rows = await this.sql.query<{ runner_id: string | null; task_id: string; repo_id: string }>(
      "select a.runner_id, a.task_id, t.repo_id from attempts a join tasks t on t.id = a.task_id where a.id = $1",
      [id],
    );
    const row = rows[0];
    return row ? { runnerId: row.runner_id, taskId: row.task_id, repoId: row.repo_id } : null;
  }

  /** Whether the runner holds an attempt of a task on this repo (it may then read the repo). */
  async heldOnRepo(runnerId: string, repoId: string): Promise<boolean> {
    const rows = await this.sql.query(
      "select 1 from attempts a join tasks t on t.id = a.task_id where a.runner_id = $1 and t.repo_id = $2 limit 1",
      [runnerId, repoId],
    );
    return rows.length > 0;
  }

  async byTask(taskId: string): Promise<AttemptRecord[]> {
    return (await this.sql.query<AttemptRow>("select * from attempts where task_id = $1 order by idx", [taskId])).map(
      toAttemptRecord,
    );
  }

  /**
   * Gives a finished or waiting attempt its next instruction and puts it back in the queue, from
   * the statuses protocol's lifecycle lets take that kind of instruction (`INPUT_TAKEN_IN`).
   * Returns false when the attempt is in a state that cannot take it (the caller says why).
   */
  async requestRun(id: string, input: RunInput): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `update attempts set needs_run = true, pending_input = $2::jsonb, cancel_requested = false, updated_at = now()
       where id = $1 and not needs_run and status = any($3) returning id`,
      [id, JSON.stringify(input), [...INPUT_TAKEN_IN[input.kind]]],
    );
    if (rows.length) await this.sql.query("select pg_notify('cadre_queue', $1)", [id]);
    return rows.length > 0;
  }

  async requestCancel(id: string): Promise<void> {
    await this.sql.query("update attempts set cancel_requested = true, updated_at = now() where id = $1", [id]);
    await this.sql.query("select pg_notify('cadre_cancel', $1)", [id]);
  }

  /**
   * Takes an attempt no runner holds (queued or waiting) so the caller can end it; returns false
   * when a runner holds it (then the runner ends it on its cancel flag).
   */
  async takeIdle(id: string, holder: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `update attempts set runner_id = $2, lease_expires_at = now() + interval '1 minute'
       where id = $1 and (runner_id is null or lease_expires_at < now()) and status not in (${TERMINAL_SQL}) returning id`,
      [id, holder],
    );
    return rows.length > 0;
  }

  /** The image the attempt's sandbox ran on, pinned to its manifest digest. */
  async setImage(id: string, image: { reference: string; digest: string } | null): Promise<void> {
    await this.sql.query(
      "update attempts set image_reference = $2, image_digest = $3, updated_at = now() where id = $1",
      [id, image?.reference ?? null, image?.digest ?? null],
    );
  }

  async turns(attemptId: string): Promise<Turn[]> {
    return (await this.sql.query<TurnRow>("select * from turns where attempt_id = $1 order by idx", [attemptId])).map(
      toTurn,
    );
  }
}
