import type { z } from "zod";
import { CadreError, type JsonRouteName, type Routes } from "@cadre/protocol";
import type { Principal } from "./principal.ts";
import type { HandlerInput } from "./route-registry.ts";
import type { ServerContext } from "./server-context.ts";
import {
  asSeenBy,
  canSeeEnvironment,
  canSeeRepo,
  requireAttemptAccess,
  requireEnvironment,
  requireEnvironmentRunsOn,
  requireRepo,
  requireRole,
  requireTaskAccess,
  requireTaskEnvironmentAllowed,
  visibleRepoIds,
} from "./access.ts";
import { checkTaskRate } from "./rate-limit.ts";

type Output<K extends JsonRouteName> = z.input<Routes[K]["response"]>;

/**
 * Access rules of one route: `before` runs ahead of the handler (role, repository access, rate
 * limits); `after` may filter or follow up on the result. Every JSON route must have an entry,
 * so a new route cannot be added without deciding who may call it.
 */
export interface Guard<K extends JsonRouteName> {
  before?: (input: HandlerInput<Routes[K]>) => Promise<void>;
  after?: (input: HandlerInput<Routes[K]>, out: Output<K>) => Promise<Output<K>>;
}

export type Guards = { [K in JsonRouteName]: Guard<K> };

const open = {};
const admin = { before: async ({ principal }: { principal: Principal }) => requireRole(principal, "admin") };

function sameSet(left: string[], right: string[]): boolean {
  const [a, b] = [new Set(left), new Set(right)];
  return a.size === b.size && [...a].every((id) => b.has(id));
}

function requireAdminToAllow(principal: Principal): void {
  if (principal.role !== "admin")
    throw new CadreError(
      "forbidden",
      "only an admin lets an environment run on other repositories (allowedRepoIds): ask an admin to allow them",
    );
}

export function routeGuards(ctx: ServerContext): Guards {
  const task = <K extends JsonRouteName>(role: "viewer" | "member") => ({
    before: async ({ params, principal }: HandlerInput<Routes[K]>) => {
      requireRole(principal, role);
      await requireTaskAccess(ctx, principal, (params as { id: string }).id);
    },
  });
  // Answering, following up or deciding on a plan runs the task's environment again.
  const rerun = <K extends JsonRouteName>() => ({
    before: async ({ params, principal }: HandlerInput<Routes[K]>) => {
      requireRole(principal, "member");
      const id = (params as { id: string }).id;
      await requireTaskAccess(ctx, principal, id);
      await requireTaskEnvironmentAllowed(ctx, id);
    },
  });
  const attempt = <K extends JsonRouteName>() => ({
    before: async ({ params, principal }: HandlerInput<Routes[K]>) => {
      await requireAttemptAccess(ctx, principal, (params as { id: string }).id);
    },
  });
  // An automation follows its repo's access: hidden repos' automations are 404, as the repos are.
  const automation = <K extends JsonRouteName>(role: "viewer" | "member") => ({
    before: async ({ params, principal }: HandlerInput<Routes[K]>) => {
      requireRole(principal, role);
      const id = (params as { id: string }).id;
      const found = await ctx.store.automations.find(id);
      if (!found || !(await canSeeRepo(ctx, principal, found.repoId)))
        throw new CadreError("not_found", `automation ${id} not found`, undefined, "cadre automation list");
    },
  });
  return {
    version: open,
    listModels: open,
    whoami: open,
    listRunners: open,
    createRunnerToken: admin,
    listRunnerTokens: admin,
    revokeRunnerToken: admin,
    listQueue: {
      after: async ({ principal }, out) => {
        const visible = await visibleRepoIds(ctx, principal);
        return visible === null ? out : { items: out.items.filter((q) => visible.includes(q.repoId)) };
      },
    },
    // user management checks admin-or-self in its handlers
    listUsers: open,
    createUser: open,
    updateUser: open,
    createToken: open,
    listTokens: open,
    revokeToken: open,
    grantRepo: open,
    revokeGrant: open,

    listRepos: {
      after: async ({ principal }, out) => {
        const visible = await visibleRepoIds(ctx, principal);
        return visible === null ? out : { ...out, items: out.items.filter((r) => visible.includes(r.id)) };
      },
    },
    createRepo: {
      before: async ({ principal }) => requireRole(principal, "member"),
      // whoever adds a repo may use it
      after: async ({ principal }, out) => {
        if (principal.role !== "admin") await ctx.store.users.grant(principal.user, out.id, principal.user);
        return out;
      },
    },
    updateRepo: {
      before: async ({ params, principal }) => {
        requireRole(principal, "member");
        await requireRepo(ctx, principal, params.id);
      },
    },
    // Forges hold no secret a reader could see (secrets are never returned); changing them is an admin's.
    listForges: open,
    getForge: open,
    createForge: admin,
    updateForge: admin,
    deleteForge: admin,
    listForgeDeliveries: admin,

    getRepo: { before: async ({ params, principal }) => void (await requireRepo(ctx, principal, params.id)) },
    repoConflicts: { before: async ({ params, principal }) => void (await requireRepo(ctx, principal, params.id)) },

    listEnvironments: {
      after: async ({ principal }, out) => {
        const visible = await visibleRepoIds(ctx, principal);
        return {
          ...out,
          items: out.items.filter((e) => canSeeEnvironment(visible, e)).map((e) => asSeenBy(visible, e)),
        };
      },
    },
    getEnvironment: {
      before: async ({ params, principal }) => void (await requireEnvironment(ctx, principal, params.id)),
      after: async ({ principal }, out) => asSeenBy(await visibleRepoIds(ctx, principal), out),
    },
    environmentSetupLog: {
      before: async ({ params, principal }) => void (await requireEnvironment(ctx, principal, params.id)),
    },
    createEnvironment: {
      before: async ({ body, principal }) => {
        requireRole(principal, body.repoId ? "member" : "admin");
        if (body.allowedRepoIds?.length) requireAdminToAllow(principal);
        if (body.repoId) await requireRepo(ctx, principal, body.repoId);
      },
      after: async ({ principal }, out) => asSeenBy(await visibleRepoIds(ctx, principal), out),
    },
    updateEnvironment: {
      before: async ({ params, body, principal }) => {
        requireRole(principal, "member");
        const env = await requireEnvironment(ctx, principal, params.id);
        if (env.repoId === null || body.repoId === null) requireRole(principal, "admin");
        if (body.allowedRepoIds && !sameSet(body.allowedRepoIds, env.allowedRepoIds)) requireAdminToAllow(principal);
        // Its setup script runs on every repo it is allowed on: changing it needs access to all of them.
        for (const repoId of env.allowedRepoIds) {
          if (!(await canSeeRepo(ctx, principal, repoId)))
            throw new CadreError(
              "forbidden",
              `environment '${env.name}' also runs on repositories you cannot see: only an admin (or a user with access to all of them) may change it`,
            );
        }
        if (body.repoId) await requireRepo(ctx, principal, body.repoId);
      },
      after: async ({ principal }, out) => asSeenBy(await visibleRepoIds(ctx, principal), out),
    },

    listTasks: {
      before: async ({ query, principal }) => {
        if (query.repo) await requireRepo(ctx, principal, query.repo);
      },
      after: async ({ principal }, out) => {
        // the store already filters by visible repos; this keeps a handler that forgot to from leaking
        const visible = await visibleRepoIds(ctx, principal);
        return visible === null ? out : { ...out, items: out.items.filter((t) => visible.includes(t.repoId)) };
      },
    },
    createTask: {
      before: async ({ body, principal }) => {
        requireRole(principal, "member");
        const repo = await requireRepo(ctx, principal, body.repo);
        if (body.environment)
          await requireEnvironmentRunsOn(ctx, await requireEnvironment(ctx, principal, body.environment), repo);
        await checkTaskRate(ctx, principal);
      },
    },
    getTask: task("viewer"),
    cancelTask: task("member"),
    followupTask: rerun(),
    answerTask: rerun(),
    sendMessage: rerun(),
    approvePlan: rerun(),
    rejectPlan: rerun(),
    approveTask: task("member"),
    rejectTask: task("member"),

    listAutomations: open,
    createAutomation: {
      before: async ({ body, principal }) => {
        requireRole(principal, "member");
        const repo = await requireRepo(ctx, principal, body.repo);
        if (body.environment)
          await requireEnvironmentRunsOn(ctx, await requireEnvironment(ctx, principal, body.environment), repo);
      },
    },
    getAutomation: automation("viewer"),
    pauseAutomation: automation("member"),
    resumeAutomation: automation("member"),
    deleteAutomation: automation("member"),

    getAttempt: attempt(),
    listTurns: attempt(),
    listEvents: attempt(),
    attemptDiff: attempt(),
  };
}
