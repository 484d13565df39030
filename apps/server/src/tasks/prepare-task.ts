import { CadreError, type CreateTask, type PotentialConflict, type Repo, type TaskOrigin } from "@cadre/protocol";
import { expectedPaths, fetchMirror, fetchMirrorSince, resolveCommit } from "@cadre/git";
import { chooseModel } from "../handlers/model-handlers.ts";
import type { NewTask } from "@cadre/store";
import type { z } from "zod";
import type { ServerContext } from "../server-context.ts";
import { mirrorPath } from "../cadre-home.ts";

export function titleOf(prompt: string): string {
  const line = prompt.trim().split("\n")[0] ?? "";
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

type TaskInput = z.output<typeof CreateTask>;

/** Where a task comes from, beyond who asked. */
export interface TaskSource {
  origin?: TaskOrigin | null;
  /**
   * The moment the task must see the repository as of (ms since the epoch: when the webhook that
   * asked for it was received); a mirror fetch started since then serves. Default: a fresh fetch.
   */
  freshSince?: number;
}

/** The environment a repo's tasks get by default: the one environment made for that repo, if there is exactly one. */
async function repoEnvironment(ctx: ServerContext, repoId: string): Promise<string | null> {
  const own = (await ctx.store.environments.list()).filter((e) => e.repoId === repoId);
  return own.length === 1 ? (own[0]?.id ?? null) : null;
}

/**
 * Everything a new task needs before it is inserted: its repo and environment resolved, the model
 * checked, the mirror fetched (with the forge's credentials for forge repos), the base commit,
 * the paths it expects to touch and the running tasks they overlap.
 */
export async function prepareTask(
  ctx: ServerContext,
  body: TaskInput,
  createdBy: string,
  { origin = null, freshSince }: TaskSource = {},
): Promise<NewTask & { repo: Repo }> {
  const repo = await ctx.store.repos.find(body.repo);
  if (!repo)
    throw new CadreError(
      "not_found",
      `no repo named '${body.repo}': add it first (Repos page)`,
      undefined,
      "cadre repo add <path|url>",
    );
  let environmentId: string | null = null;
  if (body.environment) {
    const env = await ctx.store.environments.find(body.environment);
    if (!env)
      throw new CadreError(
        "not_found",
        `no environment named '${body.environment}': create it first (Environments page)`,
        undefined,
        "cadre env create <name> --repo <repo>",
      );
    environmentId = env.id;
  } else if (body.environment === undefined) {
    environmentId = await repoEnvironment(ctx, repo.id);
  }
  const model = await chooseModel(ctx, body.model);

  const mirror = mirrorPath(ctx.home, repo.id);
  const baseRef = body.baseRef ?? repo.defaultBranch;
  const remote = await ctx.forges.remoteOptions(repo);
  const fetched = freshSince === undefined ? fetchMirror(mirror, remote) : fetchMirrorSince(mirror, remote, freshSince);
  await fetched.catch((e: Error) => {
    throw new CadreError("unavailable", `could not fetch ${repo.origin}: ${e.message}`);
  });
  const baseCommit = await resolveCommit(mirror, baseRef);
  // Before it starts: the paths it expects to touch, against other active tasks on the same branch.
  const expected = body.mode === "ask" ? [] : await expectedPaths(mirror, baseCommit, body.prompt);
  const potentialConflicts: PotentialConflict[] = [];
  if (expected.length) {
    for (const other of await ctx.store.tasks.activeOnBranch(repo.id, baseRef)) {
      const overlap = other.expectedPaths.filter((p) => expected.includes(p));
      if (overlap.length) potentialConflicts.push({ taskId: other.id, title: other.title, paths: overlap });
    }
  }
  return {
    repo,
    title: body.title ?? titleOf(body.prompt),
    prompt: body.prompt,
    repoId: repo.id,
    baseRef,
    baseCommit,
    environmentId,
    attemptCount: body.attempts,
    mode: body.mode,
    model,
    createdBy,
    priority: body.priority,
    expectedPaths: expected,
    potentialConflicts,
    queueAfter: body.queueBehindConflicts ? potentialConflicts.map((c) => c.taskId) : [],
    origin,
  };
}
