import {
  CadreError,
  DEFAULT_LIMITS,
  type CreateEnvironment,
  type Environment,
  type UpdateEnvironment,
} from "@cadre/protocol";
import { decryptSecret, encryptSecret } from "@cadre/secrets";
import { checkEnvironmentImage } from "../environment-image.ts";
import type { EnvironmentRecord } from "@cadre/store";
import type { Handlers } from "../route-registry.ts";
import type { ServerContext } from "../server-context.ts";
import { requireRole, visibleRepoIds } from "../access.ts";

export const DEFAULT_SETUP_TTL_MS = 12 * 3600_000;

function applySecrets(
  key: Buffer,
  current: Record<string, string>,
  changes: Record<string, string | null> | undefined,
): Record<string, string> {
  const out = { ...current };
  for (const [name, value] of Object.entries(changes ?? {})) {
    if (value === null) delete out[name];
    else out[name] = encryptSecret(key, value);
  }
  return out;
}

export function environmentHandlers(
  ctx: ServerContext,
): Pick<
  Handlers,
  "listEnvironments" | "createEnvironment" | "getEnvironment" | "updateEnvironment" | "environmentSetupLog"
> {
  async function find(id: string): Promise<Environment> {
    const env = await ctx.store.environments.find(id);
    if (!env) throw new CadreError("not_found", `environment ${id} not found`, undefined, "cadre env list");
    return env;
  }
  async function checkRepo(repoId: string | null | undefined): Promise<void> {
    if (repoId && !(await ctx.store.repos.find(repoId))) throw new CadreError("not_found", `repo ${repoId} not found`);
  }
  /** The repos besides its own the environment may run on: each must exist; its own repo is implied. */
  async function allowedRepos(ids: string[], repoId: string | null): Promise<string[]> {
    const unique = [...new Set(ids)].filter((id) => id !== repoId);
    for (const id of unique) {
      const repo = await ctx.store.repos.find(id);
      if (repo?.id !== id)
        throw new CadreError("not_found", `repo ${id} not found: allowedRepoIds lists repo ids ('cadre repo list')`);
    }
    return unique;
  }

  return {
    async listEnvironments() {
      return { items: await ctx.store.environments.list(), nextCursor: null };
    },
    getEnvironment: async ({ params }) => find(params.id),
    async environmentSetupLog({ params, principal }) {
      const env = await find(params.id);
      // A shared environment runs on several repos: show only runs of repos the caller may see.
      const last = await ctx.store.events.lastSetupLog(env.id, await visibleRepoIds(ctx, principal));
      return last ?? { taskId: null, attemptId: null, at: null, log: "" };
    },
    async createEnvironment({ body, principal }) {
      requireRole(principal, "member");
      const b: CreateEnvironment = body;
      await checkRepo(b.repoId);
      if (await ctx.store.environments.find(b.name))
        throw new CadreError(
          "conflict",
          `an environment named '${b.name}' already exists: choose another name, or edit that environment`,
          { name: b.name },
          `cadre env update ${b.name}`,
        );
      const record: EnvironmentRecord = {
        name: b.name,
        repoId: b.repoId ?? null,
        allowedRepoIds: await allowedRepos(b.allowedRepoIds ?? [], b.repoId ?? null),
        setupScript: b.setupScript ?? "",
        maintenanceScript: b.maintenanceScript ?? "",
        variables: b.variables ?? {},
        encryptedSecrets: applySecrets(ctx.secretKey, {}, b.secrets),
        networkPolicy: b.networkPolicy ?? { mode: "off", allow: [], readOnlyMethods: false },
        limits: { ...DEFAULT_LIMITS, ...b.limits },
        testCommand: b.testCommand ?? "",
        instructions: b.instructions ?? "",
        setupTtlMs: b.setupTtlMs ?? DEFAULT_SETUP_TTL_MS,
        image: b.image ?? null,
      };
      await checkEnvironmentImage(ctx, principal, record.image, b.secrets ?? {});
      return ctx.store.environments.create(record);
    },
    async updateEnvironment({ params, body, principal }) {
      requireRole(principal, "member");
      const cur = await find(params.id);
      const b: UpdateEnvironment = body;
      await checkRepo(b.repoId);
      if (b.name && b.name !== cur.name && (await ctx.store.environments.find(b.name)))
        throw new CadreError("conflict", `an environment named '${b.name}' already exists`);
      const repoId = b.repoId === undefined ? cur.repoId : b.repoId;
      const record: EnvironmentRecord = {
        name: b.name ?? cur.name,
        repoId,
        allowedRepoIds: await allowedRepos(b.allowedRepoIds ?? cur.allowedRepoIds, repoId),
        setupScript: b.setupScript ?? cur.setupScript,
        maintenanceScript: b.maintenanceScript ?? cur.maintenanceScript,
        variables: b.variables ?? cur.variables,
        encryptedSecrets: applySecrets(ctx.secretKey, await ctx.store.environments.encryptedSecrets(cur.id), b.secrets),
        networkPolicy: b.networkPolicy ?? cur.networkPolicy,
        limits: { ...cur.limits, ...b.limits },
        testCommand: b.testCommand ?? cur.testCommand,
        instructions: b.instructions ?? cur.instructions,
        setupTtlMs: b.setupTtlMs ?? cur.setupTtlMs,
        image: b.image === undefined ? cur.image : b.image,
      };
      if (b.image !== undefined && b.image !== cur.image) {
        const stored = Object.entries(record.encryptedSecrets).map(([name, value]) => [
          name,
          decryptSecret(ctx.secretKey, value),
        ]);
        await checkEnvironmentImage(ctx, principal, record.image, Object.fromEntries(stored) as Record<string, string>);
      }
      return ctx.store.environments.update(cur.id, record);
    },
  };
}
