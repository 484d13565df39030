import { execFile } from "node:child_process";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { existsSync, readdirSync } from "node:fs";

const run = promisify(execFile);

/** initdb/pg_ctl of the installed PostgreSQL, or null. */
function binDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, "bin", "pg_ctl"))) return join(root, v, "bin");
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.once("error", reject);
  });
}

/** Whether this machine can run a private PostgreSQL server (binaries present, running as root). */
export function canRunPrivatePostgres(): boolean {
  return binDir() !== null && userInfo().uid === 0;
}

export interface PrivatePostgres {
  url: string;
  /** Stops the server as a crash would (immediate mode), then starts it again. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server of this test's own (initdb in a temporary directory, loopback, a free port),
 * so the test can restart it without disturbing the shared test server. Null where it cannot be
 * made (no PostgreSQL binaries, or not root to run them as the postgres user).
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres | null> {
  const bin = binDir();
  if (!bin || userInfo().uid !== 0) return null;
  const dir = await mkdtemp(join(tmpdir(), "cadre-pg-"));
  const { stdout } = await run("id", ["-u", "postgres"]).catch(() => ({ stdout: "" }));
  const uid = Number(stdout.trim());
  if (!uid) return null;
  const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
  await chown(dir, uid, gid);
  const data = join(dir, "data");
  const port = await freePort();
  const asPostgres = (cmd: string, args: string[]) =>
    run("runuser", ["-u", "postgres", "--", join(bin, cmd), ...args], { timeout: 60_000 });
  await asPostgres("initdb", ["-D", data, "-U", "cadre", "--auth=trust", "--no-sync"]);
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const start = () => asPostgres("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "60", "start"]);
  const stop = (mode: string) => asPostgres("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"]);
  await start();
  return {
    url: `postgres://cadre@127.0.0.1:${port}/postgres`,
    async restart() {
      await stop("immediate");
      await start();
    },
    async stop() {
      await stop("fast").catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
