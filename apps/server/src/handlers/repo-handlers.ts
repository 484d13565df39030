import { rename, rm } from "node:fs/promises";
import { basename } from "node:path";
import { CadreError, NewRepoName } from "@cadre/protocol";
import { defaultBranch, ensureMirror } from "@cadre/git";
import { newId } from "@cadre/store";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { mirrorPath } from "../cadre-home.ts";
import { allowedOrigin } from "../repo-origin-policy.ts";
import { requireRole } from "../access.ts";
import { connectForgeRepo, forgeRepoTarget } from "../forge/forge-repo.ts";

function nameFromOrigin(origin: string): string {
  const last = basename(origin.replace(/[/:]+$/, "")).replace(/\.git$/, "");
  const cleaned = last.replace(/[^A-Za-z0-9._-]/g, "-").replace(/^[^A-Za-z0-9]+/, "");
  return cleaned || "repo";
}

export function repoHandlers(ctx: ServerContext): Pick<Handlers, "listRepos" | "createRepo" | "getRepo"> {
  return {
    async listRepos() {
      return { items: await ctx.store.repos.list(), nextCursor: null };
    },
    async getRepo({ params }) {
      const repo = await ctx.store.repos.find(params.id);
      if (!repo) throw new CadreError("not_found", `repo ${params.id} not found`, undefined, "cadre repo list");
      return repo;
    },
    async createRepo({ body, principal }) {
      requireRole(principal, "member");
      const origin = await allowedOrigin(body.origin, {
        principal,
        home: ctx.home,
        env: ctx.env,
        existing: await ctx.store.repos.list(),
      });
      const name = body.name ?? nameFromOrigin(origin);
      const parsedName = NewRepoName.safeParse(name);
      if (!parsedName.success)
        throw new CadreError("validation_failed", `cannot derive a valid repo name from ${origin}: pass --name`);
      if (await ctx.store.repos.findByName(name))
        throw new CadreError("conflict", `a repo named '${name}' already exists: choose another with --name`);
      // The mirror is built aside and moved into place only once the repo row exists, so a bad origin leaves nothing behind.
      const id = newId("repo");
      const finalPath = mirrorPath(ctx.home, id);
      const tempPath = `${finalPath}.tmp-${process.pid}`;
      const forge = body.forge ? await forgeRepoTarget(ctx, body, origin) : null;
      try {
        await ensureMirror(origin, tempPath, forge?.remote ?? {});
        const branch = body.defaultBranch ?? (await defaultBranch(tempPath));
        if (!branch)
          throw new CadreError(
            "bad_request",
            `the repository at ${origin} has no branches: push at least one commit first`,
          );
        const repo = await ctx.store.repos.create({
          id,
          name,
          origin,
          defaultBranch: branch,
          forge: forge ? { forgeId: forge.forge.id, repoPath: forge.repoPath, webhook: "manual" } : null,
        });
        await rename(tempPath, finalPath);
        return forge ? connectForgeRepo(ctx, forge, repo) : repo;
      } finally {
        await rm(tempPath, { recursive: true, force: true });
      }
    },
  };
}
