import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CADRE_BIN,
  startCadreServe,
  writeScriptedConfig,
  type CadreServeProcess,
} from "../../support/cadre-process.ts";
import { freshPostgresUrl, tempHome } from "../../support/databases.ts";

export interface RunnerProcess {
  name: string;
  id: string;
  home: string;
  child: ChildProcess;
  logs: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/**
 * A scale-out deployment on this machine: one fresh PostgreSQL database, server instances with no
 * embedded runner sharing one Cadre home (token, mirrors, model config), and runner processes that
 * reach a server only over HTTP with a runner token of their own: each has its own home and cache,
 * and neither the database URL nor the secret key is in its environment.
 */
export class Cluster {
  readonly servers: CadreServeProcess[] = [];
  readonly runners: RunnerProcess[] = [];
  readonly env: Record<string, string>;
  private cleanup: (() => Promise<void>)[] = [];

  private constructor(
    readonly home: string,
    readonly databaseUrl: string,
    readonly modelUrl: string,
    extraEnv: Record<string, string>,
  ) {
    this.env = {
      CADRE_DATABASE_URL: databaseUrl,
      CADRE_SECRET_KEY: randomBytes(32).toString("base64"),
      CADRE_LEASE_MS: "3000",
      CADRE_TASKS_PER_MINUTE: "100000",
      ...extraEnv,
    };
  }

  /** On a fresh database of the test server, or on `databaseUrl` when given. */
  static async create(modelUrl: string, extraEnv: Record<string, string> = {}, databaseUrl?: string): Promise<Cluster> {
    const db = databaseUrl ? { url: databaseUrl, drop: async () => undefined } : await freshPostgresUrl();
    if (!db) throw new Error("no PostgreSQL: set CADRE_TEST_DATABASE_URL");
    const h = await tempHome("cadre-cluster-");
    const c = new Cluster(h.home, db.url, modelUrl, extraEnv);
    c.cleanup.push(db.drop, h.remove);
    await writeScriptedConfig(h.home, modelUrl);
    return c;
  }

  /** A server instance; with `port`, on that port (a restarted instance keeps its address). */
  async startServer(port?: number): Promise<CadreServeProcess> {
    const s = await startCadreServe({
      home: this.home,
      slots: 0,
      env: this.env,
      ...(port ? { args: ["--port", String(port)] } : {}),
    });
    this.servers.push(s);
    return s;
  }

  /**
   * A runner process with a new runner token named after it, attached to `server` (default: the
   * servers in turn), with its own home and cache outside every server's.
   */
  async startRunner(name: string, slots: number, server?: CadreServeProcess): Promise<RunnerProcess> {
    const via = server ?? (this.servers[this.runners.length % this.servers.length] as CadreServeProcess);
    const { home, remove } = await tempHome(`cadre-runner-${name}-`);
    this.cleanup.push(remove);
    const created = await via.client.call("createRunnerToken", { body: { name } });
    const tokenFile = join(home, "runner-token");
    await writeFile(tokenFile, `${created.token}\n`, { mode: 0o600 });
    const env: Record<string, string> = { ...(process.env as Record<string, string>), CADRE_HOME: home };
    // Nothing of the servers' secrets reaches a runner: no database URL, no secret key.
    for (const secret of ["CADRE_DATABASE_URL", "CADRE_TEST_DATABASE_URL", "CADRE_SECRET_KEY"]) delete env[secret];
    const child = spawn(
      process.execPath,
      [
        CADRE_BIN,
        "runner",
        "--server",
        via.url,
        "--token-file",
        tokenFile,
        "--slots",
        String(slots),
        "--name",
        name,
        "--cache",
        join(home, "cache"),
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let output = "";
    child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
    const id = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`runner ${name} did not start in 60s:\n${output}`)), 60_000);
      const check = () => {
        const m = /Cadre runner \S+ \((runner_\w+)\) is running/.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      };
      child.stderr?.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`runner ${name} exited with ${code}:\n${output}`));
      });
    });
    const r: RunnerProcess = {
      name,
      id,
      home,
      child,
      logs: () => output,
      stop: (signal = "SIGTERM") =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill(signal);
        }),
    };
    this.runners.push(r);
    return r;
  }

  async close(): Promise<void> {
    await Promise.all(this.runners.map((r) => r.stop()));
    await Promise.all(this.servers.map((s) => s.stop()));
    for (const c of this.cleanup.reverse()) await c().catch(() => undefined);
  }
}

/** Polls `check` every 100 ms until it returns a value, or fails after `ms` with `what`. */
export async function waitFor<T>(
  what: string,
  ms: number,
  check: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
