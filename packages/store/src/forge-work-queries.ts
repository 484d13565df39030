import type { ForgeDelivery } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { iso, isoOrNull } from "./rows.ts";

/** After this many failed tries a delivery or job stops being retried (its error stays visible). */
export const MAX_FORGE_ATTEMPTS = 6;

export interface DeliveryRecord {
  forgeId: string;
  deliveryId: string;
  event: string;
  payload: unknown;
  attempts: number;
  receivedAt: string;
}

export interface JobRecord {
  id: string;
  forgeId: string;
  key: string;
  kind: string;
  payload: unknown;
  attempts: number;
}

interface DeliveryRow {
  forge_id: string;
  delivery_id: string;
  event: string;
  payload: unknown;
  state: ForgeDelivery["state"];
  outcome: string | null;
  attempts: number;
  received_at: Date;
  processed_at: Date | null;
}

interface JobRow {
  id: string;
  forge_id: string;
  key: string;
  kind: string;
  payload: unknown;
  attempts: number;
}

function json(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}

/** Retry delays grow with each failure: 2 s, 4 s, 8 s … up to ten minutes. */
function backoffMs(attempts: number): number {
  return Math.min(600_000, 1000 * 2 ** attempts);
}

/**
 * The forge inbox (deliveries, stored before anything is done with them) and outbox (jobs: what
 * Cadre must do on the forge, each key once). Both are claimed with FOR UPDATE SKIP LOCKED under a
 * lease, and finishing is fenced by the claim so a worker whose lease passed cannot finish twice.
 */
export class ForgeWorkQueries {
  constructor(private readonly sql: Sql) {}

  /** Stores a delivery unless its id was stored before (a redelivery); returns whether it is new. */
  async receive(d: { forgeId: string; deliveryId: string; event: string; payload: unknown }): Promise<boolean> {
    const rows = await this.sql.query<{ delivery_id: string }>(
      `insert into forge_deliveries (forge_id, delivery_id, event, payload) values ($1, $2, $3, $4::jsonb)
       on conflict (forge_id, delivery_id) do nothing returning delivery_id`,
      [d.forgeId, d.deliveryId, d.event, JSON.stringify(d.payload)],
    );
    if (rows.length) await this.sql.query("select pg_notify('cadre_forge', $1)", [d.forgeId]);
    return rows.length > 0;
  }

  async claimDelivery(holder: string, leaseMs: number): Promise<DeliveryRecord | null> {
    const rows = await this.sql.query<DeliveryRow>(
      `update forge_deliveries d set claimed_by = $1, claim_expires_at = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
       from (select forge_id, delivery_id from forge_deliveries
             where state = 'pending' and run_after <= now() and (claim_expires_at is null or claim_expires_at < now())
             order by received_at limit 1 for update skip locked) next
       where d.forge_id = next.forge_id and d.delivery_id = next.delivery_id returning d.*`,
      [holder, leaseMs],
    );
    const r = rows[0];
    return r
      ? {
          forgeId: r.forge_id,
          deliveryId: r.delivery_id,
          event: r.event,
          payload: json(r.payload),
          attempts: r.attempts,
          receivedAt: iso(r.received_at),
        }
      : null;
  }

  /** Keeps a claim while its work takes long (the forge is slow to answer): false once it was lost. */
  async renewClaim(
    table: "deliveries" | "jobs",
    key: { forgeId: string; id: string },
    holder: string,
    leaseMs: number,
  ): Promise<boolean> {
    const rows =
      table === "deliveries"
        ? await this.sql.query<{ n: number }>(
            `update forge_deliveries set claim_expires_at = now() + make_interval(secs => $4::float8 / 1000)
             where forge_id = $1 and delivery_id = $2 and claimed_by = $3 and state = 'pending' returning 1 as n`,
            [key.forgeId, key.id, holder, leaseMs],
          )
        : await this.sql.query<{ n: number }>(
            `update forge_jobs set claim_expires_at = now() + make_interval(secs => $3::float8 / 1000)
             where id = $1 and claimed_by = $2 and state = 'pending' returning 1 as n`,
            [key.id, holder, leaseMs],
          );
    return rows.length > 0;
  }

  /** Ends a claimed delivery (in the caller's transaction); false when the claim was lost. */
  async finishDelivery(
    tx: Sql,
    d: { forgeId: string; deliveryId: string; holder: string; state: "done" | "ignored"; outcome: string },
  ): Promise<boolean> {
    const rows = await tx.query<{ delivery_id: string }>(
      `update forge_deliveries set state = $4, outcome = $5, processed_at = now(), claimed_by = null, claim_expires_at = null
       where forge_id = $1 and delivery_id = $2 and state = 'pending' and claimed_by = $3 returning delivery_id`,
      [d.forgeId, d.deliveryId, d.holder, d.state, d.outcome.slice(0, 2000)],
    );
    return rows.length > 0;
  }

  /** A delivery that failed goes back for a later try, or to `failed` after MAX_FORGE_ATTEMPTS. */
  async retryDelivery(d: {
    forgeId: string;
    deliveryId: string;
    holder: string;
    error: string;
    attempts: number;
  }): Promise<void> {
    const failed = d.attempts >= MAX_FORGE_ATTEMPTS;
    await this.sql.query(
      `update forge_deliveries set state = $4, outcome = $5, claimed_by = null, claim_expires_at = null,
         run_after = now() + make_interval(secs => $6::float8 / 1000), processed_at = case when $4 = 'failed' then now() else null end
       where forge_id = $1 and delivery_id = $2 and claimed_by = $3`,
      [d.forgeId, d.deliveryId, d.holder, failed ? "failed" : "pending", d.error.slice(0, 2000), backoffMs(d.attempts)],
    );
  }

  async recentDeliveries(forgeId: string, limit: number): Promise<ForgeDelivery[]> {
    const rows = await this.sql.query<DeliveryRow>(
      "select * from forge_deliveries where forge_id = $1 order by received_at desc, delivery_id limit $2",
      [forgeId, limit],
    );
    return rows.map((r) => ({
      deliveryId: r.delivery_id,
      event: r.event,
      state: r.state,
      outcome: r.outcome,
      attempts: r.attempts,
      receivedAt: iso(r.received_at),
      processedAt: isoOrNull(r.processed_at),
    }));
  }

  /**
   * Queues a job unless one with the same key exists (in the caller's transaction, with what
   * caused it); returns whether it was queued.
   */
  async enqueueJob(tx: Sql, job: { forgeId: string; key: string; kind: string; payload: unknown }): Promise<boolean> {
    const rows = await tx.query<{ id: string }>(
      `insert into forge_jobs (id, forge_id, key, kind, payload) values ($1, $2, $3, $4, $5::jsonb) on conflict (key) do nothing returning id`,
      [newId("fjob"), job.forgeId, job.key, job.kind, JSON.stringify(job.payload)],
    );
    if (rows.length) await tx.query("select pg_notify('cadre_forge', $1)", [job.forgeId]);
    return rows.length > 0;
  }

  /**
   * Claims a forge object for a delivery, in the transaction that acts on it. Returns null when it
   * is this delivery's (claimed now or earlier in the transaction), else the delivery that has it.
   * A concurrent claim waits on the primary key until the other transaction ends, so two instances
   * cannot both act.
   */
  async claimObject(tx: Sql, claim: { forgeId: string; key: string; deliveryId: string }): Promise<string | null> {
    await tx.query(
      "insert into forge_handled_objects (forge_id, object_key, delivery_id) values ($1, $2, $3) on conflict do nothing",
      [claim.forgeId, claim.key, claim.deliveryId],
    );
    const rows = await tx.query<{ delivery_id: string }>(
      "select delivery_id from forge_handled_objects where forge_id = $1 and object_key = $2",
      [claim.forgeId, claim.key],
    );
    const holder = rows[0]?.delivery_id ?? null;
    return holder === claim.deliveryId ? null : holder;
  }

  /** Records that a failed check was answered (in the caller's transaction); false when it already was. */
  async answerCheckFailure(tx: Sql, failure: { taskId: string; commit: string; name: string }): Promise<boolean> {
    const rows = await tx.query<{ task_id: string }>(
      "insert into forge_check_failures (task_id, commit_sha, name) values ($1, $2, $3) on conflict do nothing returning task_id",
      [failure.taskId, failure.commit, failure.name],
    );
    return rows.length > 0;
  }

  async claimJob(holder: string, leaseMs: number): Promise<JobRecord | null> {
    const rows = await this.sql.query<JobRow>(
      `update forge_jobs j set claimed_by = $1, claim_expires_at = now() + make_interval(secs => $2::float8 / 1000), attempts = attempts + 1
       from (select id from forge_jobs
             where state = 'pending' and run_after <= now() and (claim_expires_at is null or claim_expires_at < now())
             order by created_at limit 1 for update skip locked) next
       where j.id = next.id returning j.*`,
      [holder, leaseMs],
    );
    const r = rows[0];
    return r
      ? { id: r.id, forgeId: r.forge_id, key: r.key, kind: r.kind, payload: json(r.payload), attempts: r.attempts }
      : null;
  }

  async finishJob(tx: Sql, id: string, holder: string): Promise<boolean> {
    const rows = await tx.query<{ id: string }>(
      `update forge_jobs set state = 'done', done_at = now(), claimed_by = null, claim_expires_at = null
       where id = $1 and state = 'pending' and claimed_by = $2 returning id`,
      [id, holder],
    );
    return rows.length > 0;
  }

  async retryJob(job: { id: string; holder: string; error: string; attempts: number }): Promise<void> {
    const failed = job.attempts >= MAX_FORGE_ATTEMPTS;
    await this.sql.query(
      `update forge_jobs set state = $3, last_error = $4, claimed_by = null, claim_expires_at = null,
         run_after = now() + make_interval(secs => $5::float8 / 1000)
       where id = $1 and claimed_by = $2`,
      [job.id, job.holder, failed ? "failed" : "pending", job.error.slice(0, 2000), backoffMs(job.attempts)],
    );
  }

  /** Pending work exists (the worker keeps going while it does). */
  async hasDue(): Promise<boolean> {
    const rows = await this.sql.query<{ due: boolean }>(
      `select exists (select 1 from forge_deliveries where state = 'pending' and run_after <= now() and (claim_expires_at is null or claim_expires_at < now()))
           or exists (select 1 from forge_jobs where state = 'pending' and run_after <= now() and (claim_expires_at is null or claim_expires_at < now())) as due`,
    );
    return rows[0]?.due ?? false;
  }
}
