import type { AttemptMessage } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { iso } from "./rows.ts";
import { ACTIVE_SQL } from "./status-sql.ts";

interface MessageRow {
  id: string;
  attempt_id: string;
  text: string;
  stop: boolean;
  created_by: string;
  created_at: Date;
  delivered_seq: number | null;
}

function toMessage(r: MessageRow): AttemptMessage {
  return {
    id: r.id,
    attemptId: r.attempt_id,
    text: r.text,
    stop: r.stop,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    deliveredSeq: r.delivered_seq,
  };
}

/** Messages to running attempts: queued by the server, delivered by the runner between the agent's steps. */
export class MessageQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Queues a message for an attempt that is running or about to run (queued, or re-queued by an
   * answer or follow-up). Returns null when the attempt is not (any more) running: checked in the
   * same statement as the insert, so a message is never left behind by an attempt that just ended.
   */
  async add(input: {
    attemptId: string;
    text: string;
    stop: boolean;
    createdBy: string;
  }): Promise<AttemptMessage | null> {
    const rows = await this.sql.query<MessageRow>(
      `insert into attempt_messages (id, attempt_id, text, stop, created_by)
       select $1, id, $3, $4, $5 from attempts
       where id = $2 and not cancel_requested and (status in (${ACTIVE_SQL}) or needs_run)
       returning *`,
      [newId("msg"), input.attemptId, input.text, input.stop, input.createdBy],
    );
    return rows[0] ? toMessage(rows[0]) : null;
  }

  /** Messages not yet delivered, oldest first. */
  async pending(attemptId: string): Promise<AttemptMessage[]> {
    const rows = await this.sql.query<MessageRow>(
      "select * from attempt_messages where attempt_id = $1 and delivered_seq is null order by created_at, id",
      [attemptId],
    );
    return rows.map(toMessage);
  }

  /**
   * Messages that arrived as a run was ending (after the agent's last step) start a follow-up turn
   * with their text, so none is lost. Returns how many there were.
   */
  async followUpLeftovers(attemptId: string): Promise<number> {
    return this.sql.transaction(async (tx) => {
      const left = await tx.query<MessageRow>(
        "select * from attempt_messages where attempt_id = $1 and delivered_seq is null order by created_at, id for update",
        [attemptId],
      );
      if (left.length === 0) return 0;
      const text = left
        .map((m) => m.text.trim())
        .filter(Boolean)
        .join("\n\n");
      if (text) {
        const queued = await tx.query<{ id: string }>(
          `update attempts set needs_run = true, pending_input = $2::jsonb, updated_at = now()
           where id = $1 and not needs_run and status = 'completed' returning id`,
          [attemptId, JSON.stringify({ kind: "followup", text })],
        );
        // Already queued for another run: that run's first step delivers them.
        if (queued.length === 0) return 0;
        await tx.query("select pg_notify('cadre_queue', $1)", [attemptId]);
      }
      // A bare "stop" after the run ended has nothing left to stop.
      await tx.query("update attempt_messages set delivered_seq = 0 where id = any($1)", [left.map((m) => m.id)]);
      return text ? left.length : 0;
    });
  }
}
