import { rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { CadreError, UserEmail } from "@cadre/protocol";
import { hostGitIdentity } from "@cadre/git";
import { openStore, type Store } from "@cadre/store";
import { loadOrCreateSecretKey } from "@cadre/secrets";
import { createApp } from "./app.ts";
import { ForgeHub } from "./forge/forge-hub.ts";
import { AutomationWorker } from "./automations/automation-worker.ts";
import { ForgeWorker } from "./forge/forge-worker.ts";
import { createRunnerApi, type RunnerApi } from "./runner-api/runner-api.ts";
import { EventBus } from "./event-bus.ts";
import { loadOrCreateToken } from "./auth-token.ts";
import { BOOTSTRAP_ADMIN } from "./authenticate.ts";
import { homePaths, secureCadreHome } from "./cadre-home.ts";
import { serveWebApp } from "./web-assets.ts";

export const SERVER_VERSION = "0.1.0";

export interface ServerOptions {
  home: string;
  host?: string;
  port?: number;
  databaseUrl?: string | undefined;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  token: string;
  /** The admin token was made by this start: the caller decides whether to show it (never into a log). */
  tokenCreated: boolean;
  tokenPath: string;
  store: Store;
  /** What the embedded runner of `cadre serve` calls in-process (remote runners reach it over HTTP). */
  runnerApi: RunnerApi;
  close(): Promise<void>;
}

/** The token file's user; on first start it takes the host's git identity for its delivered commits. */
async function ensureBootstrapAdmin(store: Store): Promise<void> {
  const host = await hostGitIdentity();
  const identity = host && UserEmail.safeParse(host.email).success ? { email: host.email, displayName: host.name } : {};
  await store.users.ensure(BOOTSTRAP_ADMIN, "admin", "bootstrap", identity);
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const env = opts.env ?? process.env;
  await secureCadreHome(opts.home);
  const paths = homePaths(opts.home);
  const { token, created } = await loadOrCreateToken(paths.token);
  const secretKey = await loadOrCreateSecretKey(opts.home, env);
  const store = await openStore({ home: opts.home, databaseUrl: opts.databaseUrl });
  await ensureBootstrapAdmin(store);
  const bus = new EventBus(store.db);
  await bus.start();

  const forges = new ForgeHub(store, secretKey, log, env.CADRE_PUBLIC_URL || undefined);
  const ctx = { store, home: opts.home, bus, secretKey, version: SERVER_VERSION, env, forges };
  const runnerApi = createRunnerApi(ctx);
  const app = createApp(ctx, { token, serveStatic: serveWebApp, runnerApi });
  const host = opts.host ?? "127.0.0.1";
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 7700, hostname: host }, () => resolve(s));
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new CadreError(
              "unavailable",
              `port ${opts.port ?? 7700} on ${host} is in use: stop the other server or pass --port`,
            )
          : e,
      ),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  forges.listeningAt(url);
  const forgeWorker = new ForgeWorker(ctx);
  await forgeWorker.start();
  const automationWorker = new AutomationWorker(ctx);
  await automationWorker.start();

  await writeFile(paths.serverInfo, JSON.stringify({ url, pid: process.pid }) + "\n", { mode: 0o600 });

  return {
    url,
    token,
    tokenCreated: created,
    tokenPath: paths.token,
    store,
    runnerApi,
    async close() {
      await forgeWorker.stop();
      await automationWorker.stop();
      // Live event streams never end on their own: close every connection, then the listener.
      const closed = new Promise<void>((r) => server.close(() => r()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await bus.stop();
      await store.close();
      await rm(paths.serverInfo, { force: true });
    },
  };
}
