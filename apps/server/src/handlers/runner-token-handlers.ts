import { CadreError } from "@cadre/protocol";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";

/** Runner tokens: made, listed and revoked by admins (the guard checks the role). */
export function runnerTokenHandlers(
  ctx: ServerContext,
): Pick<Handlers, "createRunnerToken" | "listRunnerTokens" | "revokeRunnerToken"> {
  return {
    async createRunnerToken({ body, principal }) {
      if (await ctx.store.runnerTokens.activeNamed(body.name))
        throw new CadreError(
          "conflict",
          `a runner token named '${body.name}' already exists: choose another name, or revoke it first with 'cadre runner token revoke ${body.name}'`,
        );
      return ctx.store.runnerTokens.create(body.name, principal.user);
    },
    listRunnerTokens: async () => ({ items: await ctx.store.runnerTokens.list() }),
    async revokeRunnerToken({ params }) {
      const revoked = await ctx.store.runnerTokens.revoke(params.name);
      if (!revoked)
        throw new CadreError(
          "not_found",
          `no active runner token named '${params.name}': list them with 'cadre runner token list'`,
        );
      return revoked;
    },
  };
}
