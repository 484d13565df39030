import { join } from "node:path";
import { LocalRepoAccess, Runner, sandboxPreflight } from "@cadre/runner";
import { SandboxManager } from "@cadre/sandbox";
import { mirrorPath, startServer, type RunningServer, type ServerOptions } from "@cadre/server";
import { InProcessRunnerTransport } from "./in-process-transport.ts";

export interface CadreOptions extends ServerOptions {
  /** Embedded runner slots; 0 runs no runner in this process (scale-out: remote runners do the work). */
  slots?: number;
}

export interface RunningCadre extends RunningServer {
  runner: Runner | null;
}

/**
 * The composition root of `cadre serve`: the server, and in the same process a runner that
 * reaches it through the runner API in-process (the one way attempts run) and works in the
 * server's own mirrors. The server itself never runs agent or sandbox code.
 */
export async function startCadre(opts: CadreOptions): Promise<RunningCadre> {
  const slots = opts.slots ?? 2;
  if (slots > 0) await sandboxPreflight();
  const server = await startServer(opts);
  let runner: Runner | null = null;
  if (slots > 0) {
    runner = new Runner({
      transport: new InProcessRunnerTransport(server.runnerApi),
      repos: new LocalRepoAccess((repoId) => mirrorPath(opts.home, repoId)),
      sandboxes: new SandboxManager({ root: join(opts.home, "sandboxes") }),
      slots,
      name: `embedded-${process.pid}`,
      ...(opts.log ? { log: opts.log } : {}),
    });
    await runner.start();
  }
  return {
    ...server,
    runner,
    async close() {
      await runner?.stop();
      await server.close();
    },
  };
}
