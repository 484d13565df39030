import { mkdir } from "node:fs/promises";
import { PGlite, type Transaction } from "@electric-sql/pglite";
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

/** Embedded PostgreSQL (WASM) on disk under the Cadre home; one connection, serialised by PGlite. */
export async function openPgliteDatabase(dataDir: string): Promise<Database> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
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
