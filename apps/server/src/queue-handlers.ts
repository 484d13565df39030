import type { Handlers } from "./route-registry.ts";
import type { ServerContext } from "./server-context.ts";

/** The queue in claim order (the guard keeps only repositories the caller may see). */
export function queueHandlers(ctx: ServerContext): Pick<Handlers, "listQueue"> {
  return {
    listQueue: async () => ({ items: await ctx.store.queue.positions() }),
  };
}
