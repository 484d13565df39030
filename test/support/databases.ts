import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A fresh PostgreSQL database on the test server (CADRE_TEST_DATABASE_URL, started by .ci/run).
 * Under CI the server is required; elsewhere tests that need it are skipped when it is absent.
 */
export async function freshPostgresUrl(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const admin = process.env.CADRE_TEST_DATABASE_URL;
  if (!admin) {
    if (process.env.CI)
      throw new Error(
        "CADRE_TEST_DATABASE_URL is not set: .ci/run starts PostgreSQL and sets it (source scripts/start-postgres.sh)",
      );
    return null;
  }
  const name = `cadre_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export function postgresAvailable(): boolean {
  return Boolean(process.env.CADRE_TEST_DATABASE_URL) || Boolean(process.env.CI);
}

export async function tempHome(prefix = "cadre-home-"): Promise<{ home: string; remove: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  return { home, remove: () => rm(home, { recursive: true, force: true }) };
}
