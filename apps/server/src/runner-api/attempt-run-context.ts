import { CadreError, type HeldAttempt, type RunContext } from "@cadre/protocol";
import { loadCadreConfig, ModelConfigError, resolveModelSettings } from "@cadre/config";
import { fetchMirror, resolveCommit } from "@cadre/git";
import { mirrorPath } from "../cadre-home.ts";
import type { ServerContext } from "../server-context.ts";
import { attemptEnvironment } from "./attempt-environment.ts";
import { modelForRunner } from "./model-proxy-settings.ts";
import type { RunnerPrincipal } from "./runner-principal.ts";

function modelOf(config: Awaited<ReturnType<typeof loadCadreConfig>>, name: string, env: NodeJS.ProcessEnv) {
  try {
    return { ok: true as const, settings: resolveModelSettings(config.models, name, env) };
  } catch (error) {
    if (error instanceof ModelConfigError) return { ok: false as const, message: error.message };
    throw error;
  }
}

/**
 * What one run of a held attempt needs, read once as it starts: the task, its environment with
 * secrets, the model settings and budgets from config.json, and for a resolve-conflicts run the
 * branch's head after fetching its origin (runners never reach the origin themselves).
 */
export async function buildRunContext(
  ctx: ServerContext,
  runner: RunnerPrincipal,
  attempt: HeldAttempt,
): Promise<RunContext> {
  const task = await ctx.store.tasks.get(attempt.taskId);
  if (!task) throw new CadreError("internal", `task ${attempt.taskId} of attempt ${attempt.id} is missing`);
  const environment = task.environmentId ? await ctx.store.environments.find(task.environmentId) : null;
  const config = await loadCadreConfig(ctx.home);
  let branchHead: string | null = null;
  if (attempt.pendingInput?.kind === "resolve_conflicts") {
    const mirror = mirrorPath(ctx.home, task.repoId);
    const repo = await ctx.store.repos.find(task.repoId);
    await fetchMirror(mirror, repo ? await ctx.forges.remoteOptions(repo) : {});
    branchHead = await resolveCommit(mirror, `refs/heads/${task.baseRef}`);
  }
  const model = modelOf(config, task.model, ctx.env);
  return {
    attempt,
    task: {
      id: task.id,
      repoId: task.repoId,
      title: task.title,
      mode: task.mode,
      model: task.model,
      baseRef: task.baseRef,
      baseCommit: task.baseCommit,
    },
    environment: await attemptEnvironment(ctx, environment, task.repoId),
    model: model.ok ? { ok: true, settings: modelForRunner(ctx, runner, attempt.id, model.settings) } : model,
    budgets: config.budgets,
    liveOutputBytes: await ctx.store.events.liveOutputBytes(attempt.id),
    branchHead,
  };
}
