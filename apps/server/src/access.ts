import { CadreError, environmentRunsOn, type Environment, type Repo } from "@cadre/protocol";
import type { AttemptRecord } from "@cadre/store";
import type { Principal } from "./principal.ts";
import type { ServerContext } from "./server-context.ts";

const RANK = { viewer: 0, member: 1, admin: 2 } as const;

/** Refuses the request unless the principal has at least `role`. */
export function requireRole(p: Principal, role: Principal["role"]): void {
  if (RANK[p.role] < RANK[role]) {
    throw new CadreError(
      "forbidden",
      `user '${p.user}' is a ${p.role} and this needs the ${role} role: ask an admin to grant it`,
    );
  }
}

/** Repo ids the principal may see, or null for every repo (admins). Read per request: grants and revocations apply at once. */
export async function visibleRepoIds(ctx: ServerContext, p: Principal): Promise<string[] | null> {
  if (p.role === "admin") return null;
  return ctx.store.users.grantedRepos(p.user);
}

export async function canSeeRepo(ctx: ServerContext, p: Principal, repoId: string): Promise<boolean> {
  const visible = await visibleRepoIds(ctx, p);
  return visible === null || visible.includes(repoId);
}

/**
 * The repo (by id or name) if the principal may see it. A repo they may not see is reported as
 * missing, so its existence does not leak.
 */
export async function requireRepo(ctx: ServerContext, p: Principal, idOrName: string): Promise<Repo> {
  const repo = await ctx.store.repos.find(idOrName);
  if (!repo || !(await canSeeRepo(ctx, p, repo.id))) {
    throw new CadreError(
      "not_found",
      `repo ${idOrName} not found among the repos you can see (an admin can grant you access)`,
      undefined,
      "cadre repo list",
    );
  }
  return repo;
}

export async function requireTaskAccess(ctx: ServerContext, p: Principal, taskId: string): Promise<void> {
  const repoId = await ctx.store.tasks.repoOf(taskId);
  if (repoId === null || !(await canSeeRepo(ctx, p, repoId)))
    throw new CadreError("not_found", `task ${taskId} not found`, undefined, "cadre task list");
}

export async function requireAttemptAccess(
  ctx: ServerContext,
  p: Principal,
  attemptId: string,
): Promise<AttemptRecord> {
  const attempt = await ctx.store.attempts.get(attemptId);
  const repoId = attempt ? await ctx.store.tasks.repoOf(attempt.taskId) : null;
  if (!attempt || repoId === null || !(await canSeeRepo(ctx, p, repoId))) {
    throw new CadreError(
      "not_found",
      `attempt ${attemptId} not found: a task's page lists its attempts`,
      undefined,
      "cadre task show <task>",
    );
  }
  return attempt;
}

/** Environments tied to a repo follow its access; shared ones (no repo) are visible to all, changed by admins only. */
export function canSeeEnvironment(visible: string[] | null, env: Pick<Environment, "repoId">): boolean {
  return visible === null || env.repoId === null || visible.includes(env.repoId);
}

/** An environment as the caller sees it: the other repos it may run on, among those the caller can see. */
export function asSeenBy<E extends { allowedRepoIds: string[] }>(visible: string[] | null, env: E): E {
  return visible === null ? env : { ...env, allowedRepoIds: env.allowedRepoIds.filter((id) => visible.includes(id)) };
}

export async function requireEnvironment(ctx: ServerContext, p: Principal, idOrName: string): Promise<Environment> {
  const env = await ctx.store.environments.find(idOrName);
  if (!env || !canSeeEnvironment(await visibleRepoIds(ctx, p), env))
    throw new CadreError("not_found", `environment ${idOrName} not found`, undefined, "cadre env list");
  return env;
}

/**
 * Refuses to run `env` (and so its secrets) on `repo` unless it is the environment's own repo or
 * one an admin allowed: a shared environment's secrets must not reach code of any repo a member has.
 */
export async function requireEnvironmentRunsOn(ctx: ServerContext, env: Environment, repo: Repo): Promise<void> {
  if (environmentRunsOn(env, repo.id)) return;
  const owner = env.repoId ? await ctx.store.repos.find(env.repoId) : null;
  const whose = owner ? `belongs to repo '${owner.name}'` : "is shared";
  throw new CadreError(
    "forbidden",
    `environment '${env.name}' ${whose} and is not allowed on repo '${repo.name}': use an environment of '${repo.name}', or ask an admin to allow it with 'cadre env update ${env.name} --allow-repo ${repo.name}'`,
  );
}

/** Re-running a task (follow-up, answer, plan decision) runs its environment again: it must still be allowed there. */
export async function requireTaskEnvironmentAllowed(ctx: ServerContext, taskId: string): Promise<void> {
  const task = await ctx.store.tasks.get(taskId);
  if (!task?.environmentId) return;
  const [env, repo] = await Promise.all([
    ctx.store.environments.find(task.environmentId),
    ctx.store.repos.find(task.repoId),
  ]);
  if (env && repo) await requireEnvironmentRunsOn(ctx, env, repo);
}
