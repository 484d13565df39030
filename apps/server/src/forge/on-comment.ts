import { CadreError, CreateTask, type Repo, type TaskOrigin } from "@cadre/protocol";
import { findMention, type ForgeComment, type ThreadRef } from "@cadre/forge";
import { AttemptQueries, MessageQueries, type ForgeLink, type Sql } from "@cadre/store";
import { ignore, queueJobs, type Decision } from "./decisions.ts";
import { job, type ForgeJob } from "./forge-jobs.ts";
import { followupText, mentionPrompt } from "./forge-prompt.ts";
import { tracked, type ForgeScope } from "./forge-scope.ts";
import { prepareTask } from "../tasks/prepare-task.ts";
import { reviewDecision } from "./review-decision.ts";
import { fetchChangeRequestHead } from "./change-request-head.ts";

export interface CommentEvent {
  repoPath: string;
  thread: ThreadRef;
  comment: ForgeComment;
}

function acknowledge(scope: ForgeScope, event: CommentEvent, taskId: string, announce: boolean): ForgeJob {
  return job(scope.forge.id, `ack:${taskId}:${event.comment.kind}:${event.comment.id}`, "acknowledge", {
    taskId,
    repoPath: event.repoPath,
    thread: event.thread,
    comment: { id: event.comment.id, kind: event.comment.kind },
    announce,
  });
}

/** Who may start work: forge users with write or admin permission on the repository, asked from the forge. */
async function writer(scope: ForgeScope, repoPath: string, login: string): Promise<boolean> {
  const permission = await tracked(scope, (client) => client.permission(repoPath, login));
  return permission === "write" || permission === "admin";
}

/** Continues the task on its attempt: a follow-up when it finished, an answer when it asks, a message while it runs. */
export async function continueTask(tx: Sql, attemptId: string, text: string, by: string): Promise<string> {
  const attempts = new AttemptQueries(tx);
  if (await attempts.requestRun(attemptId, { kind: "followup", text })) return "follow-up queued";
  if (await attempts.requestRun(attemptId, { kind: "answer", text })) return "answer queued";
  if (await new MessageQueries(tx).add({ attemptId, text, stop: false, createdBy: by }))
    return "message sent to the running attempt";
  return "the attempt could not take it";
}

function followupDecision(
  scope: ForgeScope,
  event: CommentEvent,
  link: ForgeLink,
  { instruction, by }: { instruction: string; by: string },
): Decision {
  const text = followupText(event.comment, instruction);
  return {
    kind: "write",
    outcome: `follow-up on task ${link.taskId}`,
    apply: async (tx) => {
      const result = await continueTask(tx, link.attemptId, text, by);
      await queueJobs(tx, [acknowledge(scope, event, link.taskId, false)]);
      return `${result} on task ${link.taskId}`;
    },
  };
}

function origin(scope: ForgeScope, event: CommentEvent, url: string): TaskOrigin {
  return {
    kind: "forge",
    forge: scope.forge.name,
    forgeKind: scope.adapter.kind,
    repoPath: event.repoPath,
    thread: event.thread,
    url,
    author: event.comment.author.login,
  };
}

/** A new task from a mention on an issue, or on someone else's change request (working on its head branch). */
async function newTaskDecision(
  scope: ForgeScope,
  event: CommentEvent,
  repo: Repo,
  { instruction, by }: { instruction: string; by: string },
): Promise<Decision> {
  const discussion = await tracked(scope, (client) => client.discussion(event.repoPath, event.thread));
  const prompt = mentionPrompt({
    instruction,
    forgeTitle: scope.adapter.title,
    nouns: scope.adapter.nouns,
    repoPath: event.repoPath,
    discussion,
    author: event.comment.author.login,
  });
  const onChangeRequest = event.thread.kind === "change_request";
  const head = onChangeRequest ? await fetchChangeRequestHead(scope, repo, event.thread.number) : null;
  const body = CreateTask.parse({
    prompt,
    repo: repo.id,
    title: (instruction.split("\n")[0]?.trim() || discussion.title).slice(0, 200),
    ...(head ? { baseRef: head.commit } : {}),
  });
  const task = await prepareTask(scope.ctx, body, by, {
    origin: origin(scope, event, discussion.url),
    ...(scope.receivedAt === undefined ? {} : { freshSince: scope.receivedAt }),
  });
  return {
    kind: "create_task",
    task,
    link: {
      forgeId: scope.forge.id,
      repoPath: event.repoPath,
      purpose: "code",
      thread: event.thread,
      changeRequest: onChangeRequest ? event.thread.number : null,
      ownChangeRequest: !onChangeRequest,
      branch: head?.pushable ? head.branch : null,
      pushAllowed: head ? head.pushable : true,
    },
    jobs: (taskId) => [acknowledge(scope, event, taskId, true)],
    outcome: (taskId) => `task ${taskId} created for ${event.comment.author.login}`,
  };
}

/** When the task cannot start (no model configured, the repo cannot be fetched), the asker is told why. */
function cannotStart(scope: ForgeScope, event: CommentEvent, error: CadreError): Decision {
  const key = `cannot-start:${event.repoPath}:${event.thread.number}:${event.comment.id}`;
  return {
    kind: "write",
    outcome: `task not started: ${error.message}`,
    apply: async (tx) => {
      await queueJobs(tx, [
        job(scope.forge.id, key, "note", {
          repoPath: event.repoPath,
          thread: event.thread,
          body: `Cadre could not start this task: ${error.message}`,
        }),
      ]);
    },
  };
}

/**
 * A new comment (or issue description): work only when it mentions the bot, comes from a writer
 * (asked from the forge) and is not Cadre's own. Anyone else gets no task and no reply.
 */
export async function onComment(scope: ForgeScope, event: CommentEvent): Promise<Decision> {
  const { comment } = event;
  if (comment.author.isBot || comment.author.login.toLowerCase() === (await scope.botLogin()).toLowerCase())
    return ignore(`a comment by ${comment.author.login} (a bot)`);
  const mention = findMention(comment.body, scope.forge.botName);
  if (!mention) return ignore(`no @${scope.forge.botName} mention`);
  const repo = await scope.ctx.store.repos.byForgeRepo(scope.forge.id, event.repoPath);
  if (!repo)
    return ignore(
      `${event.repoPath} is not a Cadre repo (add it with 'cadre repo add <url> --forge ${scope.forge.name}')`,
    );
  if (!(await writer(scope, event.repoPath, comment.author.login)))
    return ignore(`${comment.author.login} may not write to ${event.repoPath}`);
  const by =
    (await scope.ctx.store.users.byForgeLogin(scope.forge.id, comment.author.login)) ?? scope.forge.serviceUser;
  const onChangeRequest = event.thread.kind === "change_request";
  if (onChangeRequest && mention.kind === "review")
    return reviewDecision(scope, { repo, number: event.thread.number, by, asked: event });
  const instruction = mention.kind === "review" ? "review" : mention.text;
  const link = onChangeRequest
    ? await scope.ctx.store.forgeLinks.forChangeRequest(scope.forge.id, event.repoPath, event.thread.number)
    : null;
  if (link) return followupDecision(scope, event, link, { instruction, by });
  try {
    return await newTaskDecision(scope, event, repo, { instruction, by });
  } catch (error) {
    if (error instanceof CadreError && (error.code === "not_configured" || error.code === "unavailable"))
      return cannotStart(scope, event, error);
    throw error;
  }
}
