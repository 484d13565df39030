import { CadreError, RepoForgeSettings } from "@cadre/protocol";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { requireRole } from "../access.ts";

/** PATCH /repos/:id: a forge repo's behaviour (automatic reviews, CI feedback, the review check's threshold). */
export function repoSettingsHandler(ctx: ServerContext): Pick<Handlers, "updateRepo"> {
  return {
    async updateRepo({ params, body, principal }) {
      requireRole(principal, "member");
      const repo = await ctx.store.repos.find(params.id);
      if (!repo) throw new CadreError("not_found", `repo ${params.id} not found: list repos with 'cadre repo list'`);
      if (body.forgeSettings) {
        if (!repo.forge)
          throw new CadreError(
            "bad_request",
            `repo ${repo.name} is not on a forge: forge settings apply to repos added with --forge`,
          );
        await ctx.store.repos.setForgeSettings(
          repo.id,
          RepoForgeSettings.parse({ ...repo.forge.settings, ...body.forgeSettings }),
        );
      }
      return (await ctx.store.repos.find(repo.id)) ?? repo;
    },
  };
}
