import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openPgliteDatabase } from "./pglite-database.ts";

const scratch = await mkdtemp(join(tmpdir(), "cadre-pglite-"));

describe("the embedded database", () => {
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it("creates a new data directory in a process of its own and opens it with a small buffer pool", async () => {
    const dataDir = join(scratch, "db");
    const db = await openPgliteDatabase(dataDir);
    try {
      expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
      expect(await db.query("SHOW shared_buffers")).toEqual([{ shared_buffers: "32MB" }]);
      await db.query("CREATE TABLE kept (id int)");
      await db.query("INSERT INTO kept VALUES (1)");
    } finally {
      await db.close();
    }
    const again = await openPgliteDatabase(dataDir);
    try {
      expect(await again.query("SELECT id FROM kept")).toEqual([{ id: 1 }]);
    } finally {
      await again.close();
    }
  }, 180_000);
});
