import { join } from "node:path";
import type { CadreError } from "@cadre/protocol";
import { SandboxManager } from "@cadre/sandbox";
import { HttpRunnerTransport } from "./http-runner-transport.ts";
import { RemoteRepoAccess } from "./remote-repo-access.ts";
import { Runner } from "./runner.ts";
import { startRunnerHealth } from "./runner-health.ts";
import { readRunnerToken } from "./runner-token-file.ts";
import { sandboxPreflight } from "./sandbox-preflight.ts";

export interface RemoteRunnerOptions {
  /** The server's URL (any instance, or the load balancer in front of them). */
  server: string;
  tokenFile: string;
  slots: number;
  name: string;
  /** This runner's own home: sandbox layers. */
  home: string;
  /** Where the runner keeps its mirror cache (default `<home>/cache`). */
  cache?: string;
  /** `host:port` of the health endpoint (GET /healthz); none when absent. */
  health?: { host: string; port: number };
  log?: (line: string) => void;
  onRefused?: (error: CadreError) => void;
}

export interface RemoteRunner {
  runner: Runner;
  healthUrl: string | null;
  stop: () => Promise<void>;
}

/**
 * A runner on its own machine: it reaches the server only over HTTP(S) with a runner token (no
 * database URL, no shared directory), reads repositories over git's smart HTTP into its cache and
 * pushes its checkpoints back. When it dies, its leases expire and another runner takes over.
 */
export async function startRemoteRunner(opts: RemoteRunnerOptions): Promise<RemoteRunner> {
  await sandboxPreflight();
  const token = await readRunnerToken(opts.tokenFile);
  const transport = new HttpRunnerTransport(opts.server, token);
  const runner = new Runner({
    transport,
    repos: new RemoteRepoAccess(opts.cache ?? join(opts.home, "cache"), opts.server, () => transport.sessionSecret),
    sandboxes: new SandboxManager({ root: join(opts.home, "sandboxes") }),
    slots: opts.slots,
    name: opts.name,
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.onRefused ? { onRefused: opts.onRefused } : {}),
  });
  await runner.start();
  const health = opts.health ? await startRunnerHealth(runner, opts.health.host, opts.health.port) : null;
  return {
    runner,
    healthUrl: health?.url ?? null,
    async stop() {
      await runner.stop();
      await health?.close();
    },
  };
}
