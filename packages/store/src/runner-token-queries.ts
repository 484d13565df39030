import { randomBytes } from "node:crypto";
import type { NewRunnerToken, RunnerToken } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { newId } from "./new-id.ts";
import { iso, isoOrNull } from "./rows.ts";
import { hashToken } from "./user-queries.ts";

interface RunnerTokenRow {
  id: string;
  name: string;
  created_by: string;
  created_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

function toRunnerToken(r: RunnerTokenRow): RunnerToken {
  return {
    id: r.id,
    name: r.name,
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
    revokedAt: isoOrNull(r.revoked_at),
    lastUsedAt: isoOrNull(r.last_used_at),
  };
}

/** A runner token's identity, as found by its secret. */
export interface RunnerTokenIdentity {
  id: string;
  name: string;
}

/**
 * Runner tokens: random 192-bit secrets stored as SHA-256 in their own table, so no user lookup
 * ever finds one and no runner lookup a user token. Revoking one ends every session registered
 * with it and hands its attempts back to the queue in the same transaction.
 */
export class RunnerTokenQueries {
  constructor(private readonly sql: Sql) {}

  async create(name: string, createdBy: string): Promise<NewRunnerToken> {
    const token = `cadre_runner_${randomBytes(24).toString("base64url")}`;
    const rows = await this.sql.query<RunnerTokenRow>(
      "insert into runner_tokens (id, name, token_hash, created_by) values ($1, $2, $3, $4) returning *",
      [newId("rtok"), name, hashToken(token), createdBy],
    );
    return { token, info: toRunnerToken(rows[0] as RunnerTokenRow) };
  }

  async list(): Promise<RunnerToken[]> {
    const rows = await this.sql.query<RunnerTokenRow>("select * from runner_tokens order by name, created_at desc");
    return rows.map(toRunnerToken);
  }

  /** Whether an active token has this name. */
  async activeNamed(name: string): Promise<boolean> {
    const rows = await this.sql.query("select 1 from runner_tokens where name = $1 and revoked_at is null", [name]);
    return rows.length > 0;
  }

  async authenticate(token: string): Promise<RunnerTokenIdentity | null> {
    const rows = await this.sql.query<{ id: string; name: string }>(
      "update runner_tokens set last_used_at = now() where token_hash = $1 and revoked_at is null returning id, name",
      [hashToken(token)],
    );
    return rows[0] ?? null;
  }

  /** Revokes the active token of that name; null when there is none. */
  async revoke(name: string): Promise<RunnerToken | null> {
    return this.sql.transaction(async (tx) => {
      const rows = await tx.query<RunnerTokenRow>(
        "update runner_tokens set revoked_at = now() where name = $1 and revoked_at is null returning *",
        [name],
      );
      const row = rows[0];
      if (!row) return null;
      const released = await tx.query<{ id: string }>(
        `update attempts set runner_id = null, lease_expires_at = null
         where runner_id in (select id from runners where token_id = $1) returning id`,
        [row.id],
      );
      await tx.query("update runners set session_hash = null where token_id = $1", [row.id]);
      // Wakes every server's long polls: the revoked runners' are refused, others claim what was released.
      await tx.query("select pg_notify('cadre_queue', $1)", [released[0]?.id ?? "revoked"]);
      return toRunnerToken(row);
    });
  }
}
