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

  async register(id: string, name: string, slots: number): Promise<void> {
    await this.sql.query(
      `insert into runners (id, name, slots) values ($1, $2, $3)
       on conflict (id) do update set name = $2, slots = $3, last_heartbeat_at = now()`,
      [id, name, slots],
    );
  }

  async heartbeat(id: string, active: number, imageBytes: number | null = null): Promise<void> {
    await this.sql.query(
      "update runners set last_heartbeat_at = now(), active_attempts = $2, image_bytes = coalesce($3, image_bytes) where id = $1",
      [id, active, imageBytes],
    );
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
