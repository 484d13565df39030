import {
  CadreError,
  changeRequestName,
  type Attempt,
  type Delivery,
  type HunkSelection,
  type Repo,
  type TaskWithAttempts,
} from "@cadre/protocol";
import { commitMessage, diffCommits, fetchMirror, tryResolveCommit, type RemoteOptions } from "@cadre/git";
import { deliverBranch, deliverFollowUp } from "@cadre/delivery";
import type { ForgeLink } from "@cadre/store";
import { mirrorPath } from "../cadre-home.ts";
import { slugOf } from "../handlers/review-handlers.ts";
import { changeRequestBody, firstParagraph } from "./change-request-body.ts";
import { explained, tracked, type ForgeScope } from "./forge-scope.ts";
import { pushToTheirBranch } from "./push-to-their-branch.ts";

type PullRequestDelivery = Extract<Delivery, { kind: "pull_request" }>;
type BranchDelivery = Extract<Delivery, { kind: "push_branch" }>;
type Changed = Attempt & { headCommit: string };

export interface ChangeRequestInput {
  task: TaskWithAttempts;
  attempt: Changed;
  link: ForgeLink;
  draft?: boolean;
  /** The branch to merge into (default: the task's base branch). */
  base?: string;
  selection?: HunkSelection;
}

export interface Place {
  scope: ForgeScope;
  repo: Repo;
  repoPath: string;
  gitDir: string;
  remote: RemoteOptions;
}

async function place(scope: ForgeScope, task: TaskWithAttempts): Promise<Place> {
  const repo = await scope.ctx.store.repos.find(task.repoId);
  if (!repo?.forge)
    throw new CadreError(
      "bad_request",
      `repo ${task.repoName} is not on a forge: add it with 'cadre repo add <url> --forge <name>'`,
    );
  const gitDir = mirrorPath(scope.ctx.home, repo.id);
  const remote = await scope.ctx.forges.remoteOptions(repo);
  return { scope, repo, repoPath: repo.forge.repoPath, gitDir, remote };
}

async function filesOf(p: Place, task: TaskWithAttempts, attempt: Changed) {
  const diff = await diffCommits({
    gitDir: p.gitDir,
    base: attempt.baseCommit ?? task.baseCommit,
    head: attempt.headCommit,
    limit: 2000,
  });
  return diff.files;
}

async function body(p: Place, task: TaskWithAttempts, attempt: Changed): Promise<string> {
  return changeRequestBody({
    task,
    attempt,
    files: await filesOf(p, task, attempt),
    taskUrl: p.scope.ctx.forges.taskUrl(task.id),
  });
}

/** A follow-up turn on a delivered change request: one more commit on its branch, its description updated. */
async function followUp(
  p: Place,
  input: ChangeRequestInput,
  delivered: PullRequestDelivery,
): Promise<PullRequestDelivery> {
  const { task, attempt } = input;
  const turns = await p.scope.ctx.store.attempts.turns(attempt.id);
  const last = turns.at(-1);
  const next = await deliverFollowUp({
    store: p.scope.ctx.store,
    env: p.scope.ctx.env,
    gitDir: p.gitDir,
    origin: p.repo.origin,
    task,
    delivery: delivered,
    head: attempt.headCommit,
    instruction: last && last.kind !== "initial" ? firstParagraph(last.prompt, 72) : null,
    summary: attempt.summary,
    remote: p.remote,
  });
  if (!next || next.commit === delivered.commit) return next ?? delivered;
  // Recorded before anything else: CI may report on the new head at once.
  await record(p.scope, task.id, next);
  const thread = { kind: "change_request" as const, number: delivered.number };
  if (input.link.ownChangeRequest) {
    const description = await body(p, task, attempt);
    await tracked(p.scope, (client) => client.updateChangeRequest(p.repoPath, delivered.number, { body: description }));
  }
  await tracked(p.scope, (client) =>
    client.comment(
      p.repoPath,
      thread,
      `Pushed ${next.commit.slice(0, 12)} to \`${next.branch}\`. ${firstParagraph(attempt.summary)}`.trim(),
    ),
  );
  return next;
}

/** The task and its link know the change request and the commit delivered there. */
async function record(scope: ForgeScope, taskId: string, delivery: PullRequestDelivery): Promise<void> {
  await scope.ctx.store.tasks.setDelivery(taskId, delivery);
  await scope.ctx.store.forgeLinks.setDelivered(taskId, {
    changeRequest: delivery.number,
    branch: delivery.branch,
    commit: delivery.commit,
  });
}

/** The branch Cadre pushed for this task before a crash kept it from recording so: taken up again. */
async function adopted(p: Place, task: TaskWithAttempts, branch: string): Promise<TaskWithAttempts> {
  const head = await tryResolveCommit(p.gitDir, `refs/heads/${branch}`);
  if (!head || !(await commitMessage(p.gitDir, head)).includes(`Cadre-Task: ${task.id}`)) return task;
  return { ...task, review: { ...task.review, delivery: { kind: "push_branch", branch, commit: head } } };
}

/** Cadre's own branch for the change request, pushed (see `deliverBranch`). */
async function pushOwn(p: Place, input: ChangeRequestInput, branch: string): Promise<BranchDelivery> {
  const pushed = await deliverBranch({
    store: p.scope.ctx.store,
    env: p.scope.ctx.env,
    gitDir: p.gitDir,
    repo: p.repo,
    task: await adopted(p, input.task, branch),
    attempt: input.attempt,
    selection: input.selection,
    branch,
    remote: p.remote,
  });
  return pushed as BranchDelivery;
}

/**
 * The first delivery of Cadre's own change request: its branch pushed, the change request opened.
 * The mirror is taken as the last fetch left it (the push is a compare-and-swap, so a stale mirror
 * cannot make it overwrite anything): it is fetched only when it lacks the base branch, or when the
 * push was refused, to decide again on what the forge holds now.
 */
async function open(p: Place, input: ChangeRequestInput): Promise<PullRequestDelivery> {
  const { task, attempt } = input;
  const branch = input.link.branch ?? slugOf(task.title, task.id);
  const base = input.base ?? task.baseRef;
  if (!(await tryResolveCommit(p.gitDir, `refs/heads/${base}`))) await fetchMirror(p.gitDir, p.remote);
  if (!(await tryResolveCommit(p.gitDir, `refs/heads/${base}`)))
    throw new CadreError(
      "bad_request",
      `${base} is not a branch of ${task.repoName}: choose the branch to merge into with --base`,
    );
  const pushed = await pushOwn(p, input, branch).catch(async (error: unknown) => {
    if (!(error instanceof CadreError && error.code === "conflict")) throw error;
    await fetchMirror(p.gitDir, p.remote);
    return pushOwn(p, input, branch);
  });
  const [description, existing] = await Promise.all([
    body(p, task, attempt),
    tracked(p.scope, (client) => client.findChangeRequest(p.repoPath, branch)),
  ]);
  const changeRequest =
    existing ??
    (await tracked(p.scope, (client) =>
      client.openChangeRequest(p.repoPath, {
        title: task.title,
        body: description,
        head: branch,
        base,
        draft: input.draft ?? false,
      }),
    ));
  return {
    kind: "pull_request",
    forge: p.scope.forge.name,
    forgeKind: p.scope.adapter.kind,
    number: changeRequest.number,
    url: changeRequest.url,
    branch,
    commit: pushed.commit,
    state: "open",
    ...(pushed.attemptHead ? { attemptHead: pushed.attemptHead } : {}),
    ...(pushed.selected ? { selected: pushed.selected } : {}),
  };
}

/**
 * Delivers a task's change as a change request on its forge: the first time, its branch
 * (`cadre/<slug>`) is pushed and the change request opened (or someone else's is pushed to);
 * after a follow-up, one more commit lands on the same branch and no second change request is
 * opened. The task records the change request; its review stays pending until the forge merges
 * or closes it.
 */
export async function deliverChangeRequest(
  scope: ForgeScope,
  input: ChangeRequestInput,
): Promise<PullRequestDelivery | null> {
  const repoPath = input.link.repoPath;
  return explained(scope, repoPath, () => deliver(scope, input));
}

async function deliver(scope: ForgeScope, input: ChangeRequestInput): Promise<PullRequestDelivery | null> {
  const p = await place(scope, input.task);
  const current = input.task.review.delivery;
  let delivery: PullRequestDelivery | null;
  if (current?.kind === "pull_request") delivery = await followUp(p, input, current);
  else if (input.link.ownChangeRequest) delivery = await open(p, input);
  else delivery = await pushToTheirBranch(p, input, (pushed) => record(scope, input.task.id, pushed));
  if (!delivery) return null;
  await record(scope, input.task.id, delivery);
  if (!current && input.link.thread?.kind === "issue") {
    const thread = input.link.thread;
    const opened = `Opened ${changeRequestName(scope.adapter.nouns, delivery.number)}: ${delivery.url}`;
    await tracked(scope, (client) => client.comment(p.repoPath, thread, opened));
  }
  return delivery;
}
