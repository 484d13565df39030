import type { Event, EventBody } from "@cadre/protocol";
import { CadreError, LeaseLostError } from "@cadre/protocol";
import { projectEvent } from "./attempt-projection.ts";
import type { Sql } from "./sql.ts";
import { iso } from "./rows.ts";

export interface EventRow {
  attempt_id: string;
  seq: number;
  task_id: string;
  turn: number;
  type: string;
  at: Date;
  body: unknown;
}

export function toEvent(r: EventRow): Event {
  const body = (typeof r.body === "string" ? JSON.parse(r.body) : r.body) as EventBody;
  return { ...body, attemptId: r.attempt_id, taskId: r.task_id, seq: r.seq, turn: r.turn, at: iso(r.at) } as Event;
}

/** JSON with sorted keys: a body as sent and as stored (jsonb reorders keys) compare equal. */
function canonical(value: unknown): string {
  const parsed: unknown = typeof value === "string" ? JSON.parse(value) : value;
  return JSON.stringify(parsed, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Who may append (null: unfenced, for the server's own events) and on top of which seq (null: any). */
export interface AppendFence {
  runnerId: string | null;
  afterSeq?: number | null;
}

export class EventQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Appends events in order, numbering them after the attempt's last seq, and applies each one's
   * effect on the attempt and turn rows in the same transaction. With the fence's `runnerId`, the write
   * is fenced: it fails with LeaseLostError unless that runner still holds the attempt. With `afterSeq`, it
   * applies only on top of that seq: the same batch sent again (its answer was lost on the way)
   * returns the events already stored instead of storing them twice.
   */
  async append(attemptId: string, turn: number, bodies: EventBody[], fence: AppendFence): Promise<Event[]> {
    const { runnerId, afterSeq = null } = fence;
    if (bodies.length === 0) return [];
    return this.sql.transaction(async (tx) => {
      // Numbering, the batch's rows and its notification in one statement: every round trip to the
      // database is time the events wait before their transaction commits and streams see them.
      const inserted = await tx.query<EventRow>(
        `with moved as (
           update attempts set last_seq = last_seq + $3::int, updated_at = now()
           where id = $1 and ($2::text is null or runner_id = $2) and ($4::int is null or last_seq = $4)
           returning last_seq, task_id),
         inserted as (
           insert into events (attempt_id, seq, task_id, turn, type, body)
           select $1, moved.last_seq - $3::int + batch.ord::int, moved.task_id, $5, batch.body->>'type', batch.body
           from moved, jsonb_array_elements($6::jsonb) with ordinality as batch(body, ord)
           returning *),
         notified as (select pg_notify('cadre_events', $1 || ':' || last_seq || ':' || task_id) from moved)
         select inserted.* from inserted, notified`,
        [attemptId, runnerId, bodies.length, afterSeq, turn, JSON.stringify(bodies)],
      );
      const out = inserted.map(toEvent).sort((a, b) => a.seq - b.seq);
      const first = out[0];
      if (!first) return this.refusedAppend(tx, { attemptId, runnerId, afterSeq, bodies });
      let taskChanged = false;
      for (const [index, body] of bodies.entries())
        taskChanged = (await projectEvent(tx, { attemptId, turn, seq: first.seq + index }, body)) || taskChanged;
      if (taskChanged) await tx.query("select pg_notify('cadre_tasks', $1)", [first.taskId]);
      return out;
    });
  }

  /** Why an append matched no row: a repeated batch (answered with what is stored), a lost lease, or no attempt. */
  private async refusedAppend(
    tx: Sql,
    {
      attemptId,
      runnerId,
      afterSeq,
      bodies,
    }: { attemptId: string; runnerId: string | null; afterSeq: number | null; bodies: EventBody[] },
  ): Promise<Event[]> {
    const rows = await tx.query<{ runner_id: string | null; last_seq: number }>(
      "select runner_id, last_seq from attempts where id = $1",
      [attemptId],
    );
    const current = rows[0];
    if (!current) {
      if (runnerId) throw new LeaseLostError(attemptId);
      throw new CadreError("not_found", `attempt ${attemptId} not found`);
    }
    if (runnerId && current.runner_id !== runnerId) throw new LeaseLostError(attemptId);
    if (afterSeq !== null && current.last_seq === afterSeq + bodies.length) {
      const stored = await tx.query<EventRow>(
        "select * from events where attempt_id = $1 and seq > $2 and seq <= $3 order by seq",
        [attemptId, afterSeq, afterSeq + bodies.length],
      );
      const same = stored.every((row, i) => canonical(row.body) === canonical(bodies[i]));
      if (same) return stored.map(toEvent);
    }
    // Someone else wrote in between: this writer's view of the log is stale, so it must stop.
    throw new LeaseLostError(attemptId);
  }

  /** The attempt's newest `limit` events, oldest first. */
  async newest(attemptId: string, limit: number): Promise<Event[]> {
    const rows = await this.sql.query<EventRow>(
      "select * from events where attempt_id = $1 order by seq desc limit $2",
      [attemptId, limit],
    );
    return rows.reverse().map(toEvent);
  }

  async list(attemptId: string, after: number, limit: number): Promise<Event[]> {
    const rows = await this.sql.query<EventRow>(
      "select * from events where attempt_id = $1 and seq > $2 order by seq limit $3",
      [attemptId, after, limit],
    );
    return rows.map(toEvent);
  }

  /** The setup output of the most recent attempt that ran an environment's setup script. */
  /**
   * The environment's most recent setup output, among tasks of `repoIds` (null: every repo), so a
   * shared environment's log never shows a repository the caller cannot see.
   */
  async lastSetupLog(
    environmentId: string,
    repoIds: string[] | null,
  ): Promise<{ taskId: string; attemptId: string; at: string; log: string } | null> {
    const latest = await this.sql.query<{ attempt_id: string; task_id: string; at: Date }>(
      `select e.attempt_id, e.task_id, max(e.at) as at from events e join tasks t on t.id = e.task_id
       where t.environment_id = $1 and e.type = 'setup_output' and ($2::text[] is null or t.repo_id = any($2::text[]))
       group by e.attempt_id, e.task_id order by max(e.at) desc limit 1`,
      [environmentId, repoIds],
    );
    const row = latest[0];
    if (!row) return null;
    const chunks = await this.sql.query<{ body: unknown }>(
      "select body from events where attempt_id = $1 and type = 'setup_output' order by seq",
      [row.attempt_id],
    );
    const log = chunks
      .map((c) => ((typeof c.body === "string" ? JSON.parse(c.body) : c.body) as { chunk: string }).chunk)
      .join("");
    return { taskId: row.task_id, attemptId: row.attempt_id, at: iso(row.at), log };
  }

  /** Bytes of live output (command and setup output chunks) the attempt has stored. */
  async liveOutputBytes(attemptId: string): Promise<number> {
    const rows = await this.sql.query<{ bytes: string | number | null }>(
      `select coalesce(sum(octet_length(body->>'chunk')), 0) as bytes from events
       where attempt_id = $1 and type in ('command_output', 'setup_output')`,
      [attemptId],
    );
    return Number(rows[0]?.bytes ?? 0);
  }

  async all(attemptId: string): Promise<Event[]> {
    return (await this.sql.query<EventRow>("select * from events where attempt_id = $1 order by seq", [attemptId])).map(
      toEvent,
    );
  }
}
