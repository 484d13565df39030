import type { Runner } from "@cadre/protocol";
import type { Sql } from "./sql.ts";
import { iso } from "./rows.ts";

interface RunnerRow {
  id: string;
  name: string;
  slots: number;
  active_attempts: number;
  started_at: Date;
  last_heartbeat_at: Date;
  image_bytes: string | number | null;
  alive: boolean;
}

export class RunnerQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Registers a runner process. A remote one carries the token it registered with and the hash of
   * its session secret; an embedded one (in a server's process) neither.
   */
  async register(
    id: string,
    name: string,
    slots: number,
    credentials: { tokenId: string; sessionHash: string } | null = null,
  ): Promise<void> {
    await this.sql.query(
      `insert into runners (id, name, slots, token_id, session_hash) values ($1, $2, $3, $4, $5)
       on conflict (id) do update set name = $2, slots = $3, last_heartbeat_at = now()`,
      [id, name, slots, credentials?.tokenId ?? null, credentials?.sessionHash ?? null],
    );
  }

  /** The runner whose session secret hashes to `sessionHash`, unless its token was revoked. */
  async bySession(sessionHash: string): Promise<{ id: string; name: string; tokenId: string | null } | null> {
    const rows = await this.sql.query<{ id: string; name: string; token_id: string | null }>(
      `select r.id, r.name, r.token_id from runners r left join runner_tokens t on t.id = r.token_id
       where r.session_hash = $1 and (r.token_id is null or t.revoked_at is null)`,
      [sessionHash],
    );
    const row = rows[0];
    return row ? { id: row.id, name: row.name, tokenId: row.token_id } : null;
  }

  async heartbeat(id: string, active: number, imageBytes: number | null = null): Promise<void> {
    await this.sql.query(
      "update runners set last_heartbeat_at = now(), active_attempts = $2, image_bytes = coalesce($3, image_bytes) where id = $1",
      [id, active, imageBytes],
    );
  }

  /** Whether the runner is still registered and its token (if any) not revoked. */
  async active(id: string): Promise<boolean> {
    const rows = await this.sql.query(
      `select 1 from runners r left join runner_tokens t on t.id = r.token_id
       where r.id = $1 and (r.token_id is null or (t.revoked_at is null and r.session_hash is not null))`,
      [id],
    );
    return rows.length > 0;
  }

  async remove(id: string): Promise<void> {
    await this.sql.query("delete from runners where id = $1", [id]);
  }

  async list(aliveWithinMs: number): Promise<Runner[]> {
    const rows = await this.sql.query<RunnerRow>(
      `select *, last_heartbeat_at > now() - make_interval(secs => $1::float8 / 1000) as alive from runners order by name`,
      [aliveWithinMs],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      slots: r.slots,
      activeAttempts: r.active_attempts,
      lastHeartbeatAt: iso(r.last_heartbeat_at),
      startedAt: iso(r.started_at),
      alive: r.alive,
      imageBytes: r.image_bytes === null ? null : Number(r.image_bytes),
    }));
  }
}
