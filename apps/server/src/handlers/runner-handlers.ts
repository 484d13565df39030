import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";

/** A runner is alive while its heartbeat is younger than this. */
export const RUNNER_ALIVE_MS = 30_000;

export function runnerHandlers(ctx: ServerContext): Pick<Handlers, "listRunners"> {
  return {
    listRunners: async () => ({ items: await ctx.store.runners.list(RUNNER_ALIVE_MS) }),
  };
}
