import type { Sql } from "./sql.ts";
import { toAttemptRecord, type AttemptRecord } from "./attempt-queries.ts";
import type { AttemptRow } from "./rows.ts";
import { TERMINAL_SQL } from "./status-sql.ts";

/** Caps on running attempts; absent or null means no cap. */
export interface QueueLimits {
  maxRunning?: number | null;
  maxPerRepo?: number | null;
}

export class QueueQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Claims the next attempt that needs a run and is not leased (or whose lease expired).
   * Order: highest priority, then the repository with fewest running attempts (fair between
   * repositories), then oldest. `limits` caps running attempts in all and per repository; claims
   * take a transaction-scoped advisory lock so concurrent runners cannot overshoot a limit, and
   * SKIP LOCKED keeps them from waiting on each other's rows.
   */
  async claim(runnerId: string, leaseMs: number, limits: QueueLimits = {}): Promise<AttemptRecord | null> {
    return this.sql.transaction(async (tx) => {
      if (limits.maxRunning || limits.maxPerRepo) await tx.query("select pg_advisory_xact_lock(7700002)");
      const rows = await tx.query<AttemptRow>(
        `with running as (
           select t.repo_id, count(*)::int as n from attempts a join tasks t on t.id = a.task_id
           where a.needs_run and a.runner_id is not null and a.lease_expires_at >= now() group by t.repo_id
         )
         update attempts set runner_id = $1, lease_expires_at = now() + make_interval(secs => $2::float8 / 1000), updated_at = now()
         where id = (
           select a.id from attempts a join tasks t on t.id = a.task_id left join running r on r.repo_id = t.repo_id
           where a.needs_run and (a.runner_id is null or a.lease_expires_at < now())
             -- a task queued behind others (potential conflicts) waits until they have finished
             and not exists (
               select 1 from attempts b
               where b.task_id in (select jsonb_array_elements_text(t.queue_after))
                 and b.status not in (${TERMINAL_SQL})
             )
             and ($3::int is null or (select coalesce(sum(n), 0) from running) < $3)
             and ($4::int is null or coalesce(r.n, 0) < $4)
           order by t.priority desc, coalesce(r.n, 0), a.created_at, a.idx
           limit 1 for update of a skip locked
         ) returning *`,
        [runnerId, leaseMs, limits.maxRunning ?? null, limits.maxPerRepo ?? null],
      );
      return rows[0] ? toAttemptRecord(rows[0]) : null;
    });
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
    await this.sql.query(
      "update attempts set runner_id = null, lease_expires_at = null where id = $1 and runner_id = $2",
      [attemptId, runnerId],
    );
    await this.sql.query("select pg_notify('cadre_queue', $1)", [attemptId]);
  }

  /** Cancel flags of attempts this runner holds. */
  async cancelRequested(runnerId: string): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      "select id from attempts where runner_id = $1 and cancel_requested",
      [runnerId],
    );
    return rows.map((r) => r.id);
  }

  /**
   * The waiting attempts in the order they would be claimed now (1 = next): priority, then the
   * repository with fewest running attempts, then age. Limits may hold some back; the order stands.
   */
  async positions(): Promise<
    { attemptId: string; taskId: string; repoId: string; priority: number; position: number }[]
  > {
    const rows = await this.sql.query<{ id: string; task_id: string; repo_id: string; priority: number; pos: string }>(
      `with running as (
         select t.repo_id, count(*)::int as n from attempts a join tasks t on t.id = a.task_id
         where a.needs_run and a.runner_id is not null and a.lease_expires_at >= now() group by t.repo_id
       )
       select a.id, a.task_id, t.repo_id, t.priority,
              row_number() over (order by t.priority desc, coalesce(r.n, 0), a.created_at, a.idx) as pos
       from attempts a join tasks t on t.id = a.task_id left join running r on r.repo_id = t.repo_id
       where a.needs_run and (a.runner_id is null or a.lease_expires_at < now())
       order by pos`,
    );
    return rows.map((r) => ({
      attemptId: r.id,
      taskId: r.task_id,
      repoId: r.repo_id,
      priority: r.priority,
      position: Number(r.pos),
    }));
  }
}
