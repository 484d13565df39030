import pg from "pg";
import { CadreError, InvariantError } from "@cadre/protocol";
import type { Database, Sql, SqlParam } from "./sql.ts";
import { isTransient, retryTransient } from "./transient-errors.ts";

/** Marks a failure that happened at or after COMMIT: the transaction may have taken effect, so it is not repeated. */
class AmbiguousCommitError extends CadreError {
  constructor(override readonly cause: unknown) {
    super("unavailable", cause instanceof Error ? cause.message : String(cause));
  }
}

function clientSql(client: pg.PoolClient): Sql {
  const sql: Sql = {
    async query<T extends object>(text: string, params: SqlParam[] = []): Promise<T[]> {
      const res = await client.query<T>(text, params);
      return res.rows;
    },
    transaction: (fn) => fn(sql),
  };
  return sql;
}

/**
 * A PostgreSQL server (scale-out). LISTEN uses one dedicated connection that reconnects
 * (with its subscriptions) when the server restarts.
 */
export async function openPostgresDatabase(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
  pool.on("error", () => undefined); // idle client errors (e.g. server restart) are retried on next use
  // A checked-out client whose server goes away between statements emits 'error' with no pool
  // listener attached: without one, the process would crash instead of the query failing and retrying.
  pool.on("connect", (client) => client.on("error", () => undefined));
  await retryTransient(() => pool.query("select 1"));

  const handlers = new Map<string, Set<(payload: string) => void>>();
  let listener: pg.Client | null = null;
  let connecting: Promise<void> | null = null;
  let closed = false;

  async function connectListener(): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    client.on("notification", (msg) => {
      for (const h of handlers.get(msg.channel) ?? []) h(msg.payload ?? "");
    });
    client.on("error", () => undefined);
    client.on("end", () => {
      listener = null;
      if (!closed) scheduleReconnect();
    });
    await client.connect();
    for (const channel of handlers.keys()) await client.query(`LISTEN "${channel}"`);
    listener = client;
  }
  function scheduleReconnect(): void {
    if (connecting) return;
    connecting = (async () => {
      for (let delay = 200; !closed; delay = Math.min(delay * 2, 5000)) {
        try {
          await connectListener();
          break;
        } catch {
          await new Promise((r) => setTimeout(r, delay));
        }
      }
      connecting = null;
    })();
  }
  async function ensureListener(): Promise<pg.Client | null> {
    if (!listener && !connecting) scheduleReconnect();
    if (connecting) await connecting;
    return listener;
  }

  /**
   * A statement on its own. Reads are repeated while the server is away; a write is repeated only
   * if it never reached the server (no connection), since one cut off mid-way may have run.
   */
  async function query<T extends object>(text: string, params: SqlParam[] = []): Promise<T[]> {
    const readOnly = /^\s*select\b/i.test(text) && !/pg_notify|for update|nextval|setval/i.test(text);
    return retryTransient(
      async () => {
        const client = await pool.connect();
        let broken = false;
        try {
          const res = await client.query<T>(text, params);
          return res.rows;
        } catch (e) {
          broken = isTransient(e);
          if (broken && !readOnly) throw new AmbiguousCommitError(e);
          throw e;
        } finally {
          client.release(broken);
        }
      },
      (e) => !(e instanceof AmbiguousCommitError) && isTransient(e),
    ).catch((e: unknown) => {
      throw e instanceof AmbiguousCommitError ? e.cause : e;
    });
  }

  return {
    kind: "postgres",
    query,
    // Repeated while the server is away, unless the failure came at COMMIT (it may have committed).
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      return retryTransient(
        async () => {
          const client = await pool.connect();
          let broken = false;
          try {
            await client.query("BEGIN");
            const out = await fn(clientSql(client));
            try {
              await client.query("COMMIT");
            } catch (e) {
              broken = isTransient(e);
              throw new AmbiguousCommitError(e);
            }
            return out;
          } catch (e) {
            if (isTransient(e)) broken = true;
            else if (!(e instanceof AmbiguousCommitError)) await client.query("ROLLBACK").catch(() => undefined);
            throw e;
          } finally {
            client.release(broken);
          }
        },
        (e) => !(e instanceof AmbiguousCommitError) && isTransient(e),
      ).catch((e: unknown) => {
        throw e instanceof AmbiguousCommitError ? e.cause : e;
      });
    },
    async listen(channel, onPayload) {
      if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new InvariantError(`invalid channel name ${channel}`);
      let set = handlers.get(channel);
      const isNew = !set;
      if (!set) handlers.set(channel, (set = new Set()));
      set.add(onPayload);
      const client = await ensureListener();
      if (isNew && client) await client.query(`LISTEN "${channel}"`);
      return async () => {
        set.delete(onPayload);
        if (set.size === 0) {
          handlers.delete(channel);
          await listener?.query(`UNLISTEN "${channel}"`).catch(() => undefined);
        }
      };
    },
    async close() {
      closed = true;
      await listener?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
