import { mkdir } from "node:fs/promises";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { initPgliteDataDir } from "./pglite-initdb.ts";
import type { Database, Sql, SqlParam } from "./sql.ts";

type Queryable = Pick<PGlite, "query"> | Transaction;

function wrap(q: Queryable, inTx: boolean): Sql {
  const sql: Sql = {
    async query<T extends object>(text: string, params: SqlParam[] = []): Promise<T[]> {
      const res = await q.query<T>(text, params);
      return res.rows;
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      if (inTx) return fn(sql);
      return (q as PGlite).transaction((tx) => fn(wrap(tx, true)));
    },
  };
  return sql;
}

/**
 * PostgreSQL's default buffer pool (128 MB) is allocated in PGlite's WASM heap and touched at start;
 * Cadre's database is small and the OS caches its files, so a smaller pool keeps an idle server light.
 */
const START_PARAMS = [...PGlite.defaultStartParams, "-c", "shared_buffers=32MB", "-c", "wal_buffers=1MB"];

/** Embedded PostgreSQL (WASM) on disk under the Cadre home; one connection, serialised by PGlite. */
export async function openPgliteDatabase(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  await initPgliteDataDir(dataDir);
  const db = await PGlite.create(dataDir, { startParams: START_PARAMS });
  const base = wrap(db, false);
  return {
    kind: "pglite",
    query: base.query,
    transaction: base.transaction,
    async listen(channel, onPayload) {
      const unsub = await db.listen(channel, onPayload);
      return async () => {
        await unsub();
      };
    },
    async close() {
      await db.close();
    },
  };
}
