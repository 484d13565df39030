import type { Sql } from "./sql.ts";
import { toAttemptRecord, type AttemptRecord } from "./attempt-queries.ts";
import type { AttemptRow } from "./rows.ts";

export class QueueQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Claims the next attempt that needs a run and is not leased (or whose lease expired),
   * highest priority first, then oldest. SKIP LOCKED lets many runners claim concurrently.
   */
  async claim(runnerId: string, leaseMs: number): Promise<AttemptRecord | null> {
    const rows = await this.sql.query<AttemptRow>(
      `update attempts set runner_id = $1, lease_expires_at = now() + make_interval(secs => $2::float8 / 1000), updated_at = now()
       where id = (
         select a.id from attempts a join tasks t on t.id = a.task_id
         where a.needs_run and (a.runner_id is null or a.lease_expires_at < now())
           -- a task queued behind others (potential conflicts) waits until they have finished
           and not exists (
             select 1 from attempts b
             where b.task_id in (select jsonb_array_elements_text(t.queue_after))
               and b.status not in ('completed', 'failed', 'cancelled')
           )
         order by t.priority desc, a.created_at, a.idx
         limit 1 for update of a skip locked
       ) returning *`,
      [runnerId, leaseMs],
    );
    return rows[0] ? toAttemptRecord(rows[0]) : null;
  }

  /** Extends this runner's leases; returns the ids it still holds. */
  async renew(runnerId: string, attemptIds: string[], leaseMs: number): Promise<string[]> {
    if (attemptIds.length === 0) return [];
    const rows = await this.sql.query<{ id: string }>(
      `update attempts set lease_expires_at = now() + make_interval(secs => $3::float8 / 1000)
       where runner_id = $1 and id = any($2) returning id`,
      [runnerId, attemptIds, leaseMs],
    );
    return rows.map((r) => r.id);
  }

  /** Gives an attempt back to the queue (e.g. a runner shutting down mid-run). */
  async release(runnerId: string, attemptId: string): Promise<void> {
    await this.sql.query("update attempts set runner_id = null, lease_expires_at = null where id = $1 and runner_id = $2", [attemptId, runnerId]);
    await this.sql.query("select pg_notify('cadre_queue', $1)", [attemptId]);
  }

  /** Cancel flags of attempts this runner holds. */
  async cancelRequested(runnerId: string): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>("select id from attempts where runner_id = $1 and cancel_requested", [runnerId]);
    return rows.map((r) => r.id);
  }

  /** Position in the queue of each waiting attempt (1 = next). */
  async positions(): Promise<Map<string, number>> {
    const rows = await this.sql.query<{ id: string; pos: string }>(
      `select a.id, row_number() over (order by t.priority desc, a.created_at, a.idx) as pos
       from attempts a join tasks t on t.id = a.task_id where a.needs_run and a.runner_id is null`,
    );
    return new Map(rows.map((r) => [r.id, Number(r.pos)]));
  }
}
