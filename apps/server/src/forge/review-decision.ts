import { changeRequestName, CreateTask, reviewPrompt, type Repo } from "@cadre/protocol";
import { diffCommits, mergeBase } from "@cadre/git";
import { mirrorPath } from "../cadre-home.ts";
import { prepareTask } from "../tasks/prepare-task.ts";
import { fetchChangeRequestHead } from "./change-request-head.ts";
import { ignore, type Decision } from "./decisions.ts";
import { job, type ForgeJob } from "./forge-jobs.ts";
import { REVIEW_RULES_NOTE } from "./forge-prompt.ts";
import type { ForgeScope } from "./forge-scope.ts";
import type { CommentEvent } from "./on-comment.ts";

/**
 * A read-only review of a change request's diff at its head, with the same engine and findings
 * format as `cadre review`: an ask-mode task whose answer becomes a review with inline comments
 * and the "Cadre review" check. One review per head commit.
 */
export async function reviewDecision(
  scope: ForgeScope,
  input: { repo: Repo; number: number; by: string; asked?: CommentEvent },
): Promise<Decision> {
  const { repo, number } = input;
  const repoPath = repo.forge?.repoPath ?? "";
  const head = await fetchChangeRequestHead(scope, repo, number);
  const { changeRequest } = head;
  const name = changeRequestName(scope.adapter.nouns, number);
  if (changeRequest.state !== "open") return ignore(`${name} is ${changeRequest.state}`);
  if (await scope.ctx.store.forgeLinks.reviewOf(scope.forge.id, repoPath, number, head.commit))
    return ignore(`${name} was already reviewed at ${head.commit.slice(0, 12)}`);
  const mirror = mirrorPath(scope.ctx.home, repo.id);
  const base = (await mergeBase(mirror, changeRequest.base.commit, head.commit)) ?? changeRequest.base.commit;
  const diff = await diffCommits({ gitDir: mirror, base, head: head.commit, limit: 2000 });
  if (diff.totalFiles === 0) return ignore(`${name} changes nothing`);
  const { prompt } = reviewPrompt(diff.patch, `${name}: ${changeRequest.title}`);
  const body = CreateTask.parse({
    prompt: `${prompt}\n\n${REVIEW_RULES_NOTE}`,
    repo: repo.id,
    mode: "ask",
    baseRef: head.commit,
    title: `Review: ${scope.adapter.nouns.changeRequestRef(number)} ${changeRequest.title}`.slice(0, 200),
  });
  const task = await prepareTask(scope.ctx, body, input.by, {
    origin: {
      kind: "forge",
      forge: scope.forge.name,
      forgeKind: scope.adapter.kind,
      repoPath,
      thread: { kind: "change_request", number },
      url: changeRequest.url,
      author: input.asked?.comment.author.login ?? changeRequest.author.login,
    },
    ...(scope.receivedAt === undefined ? {} : { freshSince: scope.receivedAt }),
  });
  const asked = input.asked;
  return {
    kind: "create_task",
    task,
    link: {
      forgeId: scope.forge.id,
      repoPath,
      purpose: "review",
      thread: { kind: "change_request", number },
      changeRequest: number,
      ownChangeRequest: false,
      branch: null,
      pushAllowed: false,
    },
    jobs: (taskId) => {
      const jobs: ForgeJob[] = [
        job(scope.forge.id, `review-started:${taskId}`, "review_started", { taskId, repoPath, commit: head.commit }),
      ];
      if (asked)
        jobs.push(
          job(scope.forge.id, `ack:${taskId}:${asked.comment.kind}:${asked.comment.id}`, "acknowledge", {
            taskId,
            repoPath,
            thread: asked.thread,
            comment: { id: asked.comment.id, kind: asked.comment.kind },
            announce: false,
          }),
        );
      return jobs;
    },
    outcome: (taskId) => `review task ${taskId} for ${name} at ${head.commit.slice(0, 12)}`,
  };
}
