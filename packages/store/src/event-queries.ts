import type { Event, EventBody } from "@cadre/protocol";
import { CadreError, isTerminal, LeaseLostError, statusesBefore, type AttemptStatus } from "@cadre/protocol";
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
      const rows = await tx.query<{ last_seq: number; task_id: string }>(
        `update attempts set last_seq = last_seq + $3, updated_at = now()
         where id = $1 and ($2::text is null or runner_id = $2) and ($4::int is null or last_seq = $4)
         returning last_seq, task_id`,
        [attemptId, runnerId, bodies.length, afterSeq],
      );
      const row = rows[0];
      if (!row) return this.refusedAppend(tx, { attemptId, runnerId, afterSeq, bodies });
      let seq = row.last_seq - bodies.length;
      const out: Event[] = [];
      let taskChanged = false;
      for (const body of bodies) {
        seq++;
        const inserted = await tx.query<EventRow>(
          "insert into events (attempt_id, seq, task_id, turn, type, body) values ($1, $2, $3, $4, $5, $6::jsonb) returning *",
          [attemptId, seq, row.task_id, turn, body.type, JSON.stringify(body)],
        );
        out.push(toEvent(inserted[0] as EventRow));
        taskChanged = (await this.project(tx, { attemptId, turn, seq }, body)) || taskChanged;
      }
      await tx.query("select pg_notify('cadre_events', $1)", [`${attemptId}:${seq}:${row.task_id}`]);
      if (taskChanged) await tx.query("select pg_notify('cadre_tasks', $1)", [row.task_id]);
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

  /** Keeps the attempt/turn rows in step with the event log. Returns whether the task's listing changed. */
  private async project(
    tx: Sql,
    { attemptId, turn, seq }: { attemptId: string; turn: number; seq: number },
    e: EventBody,
  ): Promise<boolean> {
    switch (e.type) {
      case "status": {
        const terminal = isTerminal(e.status);
        const parked = terminal || e.status === "waiting_for_input";
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
      case "usage":
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
      case "checkpoint":
        await tx.query("update attempts set head_commit = $2 where id = $1", [attemptId, e.commit]);
        return false;
      case "turn_started":
        await tx.query(
          `insert into turns (attempt_id, idx, kind, prompt, status) values ($1, $2, $3, '', 'running')
           on conflict (attempt_id, idx) do update set status = 'running'`,
          [attemptId, e.turn, e.turn === 1 ? "initial" : "followup"],
        );
        await tx.query("update attempts set turn_count = greatest(turn_count, $2) where id = $1", [attemptId, e.turn]);
        return false;
      case "user_message":
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
      case "turn_completed":
        await tx.query(
          "update turns set status = 'completed', checkpoint_commit = $3, finished_at = now() where attempt_id = $1 and idx = $2",
          [attemptId, e.turn, e.commit],
        );
        if (e.commit) await tx.query("update attempts set head_commit = $2 where id = $1", [attemptId, e.commit]);
        return false;
      default:
        return false;
    }
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

/** An illegal status change (say completed → running): refused, so the transaction stores nothing. */
async function refuseTransition(tx: Sql, attemptId: string, to: AttemptStatus): Promise<never> {
  const rows = await tx.query<{ status: string }>("select status from attempts where id = $1", [attemptId]);
  throw new CadreError(
    "conflict",
    `attempt ${attemptId} is ${rows[0]?.status ?? "gone"} and cannot become ${to}: a finished attempt starts again only with a new turn (send a follow-up)`,
  );
}
