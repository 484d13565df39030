import { z } from "zod";
import type { NewChangeRequest } from "../forge-client.ts";
import type { ChangeRequest, ForgeComment, ThreadRef } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import type { GitlabContext } from "./gitlab-context.ts";
import { GlMergeRequest, toChangeRequest } from "./gitlab-objects.ts";

const Created = z.object({ id: z.number() });
const Hook = z.object({ id: z.number(), url: z.string() });

/** A draft merge request is one whose title starts with "Draft:" (docs.gitlab.com/user/project/merge_requests/drafts). */
export async function openChangeRequest(
  gl: GitlabContext,
  repoPath: string,
  request: NewChangeRequest,
): Promise<ChangeRequest> {
  const title = request.draft ? `Draft: ${request.title}` : request.title;
  const data = await gl.call(`opening a merge request from ${request.head} into ${request.base}`, () =>
    gl.api.MergeRequests.create(repoPath, request.head, request.base, title, {
      description: request.body,
      removeSourceBranch: true,
    }),
  );
  return toChangeRequest(GlMergeRequest.parse(data), repoPath);
}

export async function updateChangeRequest(
  gl: GitlabContext,
  repoPath: string,
  number: number,
  change: { title?: string; body?: string },
): Promise<void> {
  await gl.call(`updating merge request !${number}`, () =>
    gl.api.MergeRequests.edit(repoPath, number, {
      ...(change.title !== undefined ? { title: change.title } : {}),
      ...(change.body !== undefined ? { description: change.body } : {}),
    }),
  );
}

function threadUrl(gl: GitlabContext, repoPath: string, thread: ThreadRef): string {
  const kind = thread.kind === "issue" ? "issues" : "merge_requests";
  return `${gl.connection.webUrl}/${repoPath}/-/${kind}/${thread.number}`;
}

export async function comment(
  gl: GitlabContext,
  repoPath: string,
  thread: ThreadRef,
  body: string,
): Promise<{ id: string; url: string }> {
  const data = await gl.call<unknown>(`commenting on ${thread.kind === "issue" ? "#" : "!"}${thread.number}`, () =>
    thread.kind === "issue"
      ? gl.api.IssueNotes.create(repoPath, thread.number, body)
      : gl.api.MergeRequestNotes.create(repoPath, thread.number, body),
  );
  const { id } = Created.parse(data);
  return { id: String(id), url: `${threadUrl(gl, repoPath, thread)}#note_${id}` };
}

/** 👀 (the `eyes` award emoji) on the note, or the issue or merge request, that asked for work. */
export async function acknowledge(
  gl: GitlabContext,
  repoPath: string,
  thread: ThreadRef,
  target: ForgeComment,
): Promise<void> {
  const issue = thread.kind === "issue";
  await gl.call(`awarding an emoji on ${issue ? "#" : "!"}${thread.number}`, async () => {
    if (target.kind === "description") {
      if (issue) await gl.api.IssueAwardEmojis.award(repoPath, thread.number, "eyes");
      else await gl.api.MergeRequestAwardEmojis.award(repoPath, thread.number, "eyes");
    } else if (issue) await gl.api.IssueNoteAwardEmojis.award(repoPath, thread.number, Number(target.id), "eyes");
    else await gl.api.MergeRequestNoteAwardEmojis.award(repoPath, thread.number, Number(target.id), "eyes");
  });
}

/**
 * Adds Cadre's project webhook unless it has it: notes, issues, merge requests and pipelines,
 * authenticated by the secret token GitLab sends as X-Gitlab-Token. Maintainers may; others get "not_allowed".
 */
export async function ensureWebhook(
  gl: GitlabContext,
  repoPath: string,
  url: string,
  secret: string,
): Promise<"created" | "exists" | "not_allowed"> {
  try {
    const hooks = z
      .array(Hook)
      .parse(await gl.call(`listing the webhooks of ${repoPath}`, () => gl.api.ProjectHooks.all(repoPath)));
    if (hooks.some((hook) => hook.url === url)) return "exists";
    await gl.call(`adding a webhook to ${repoPath}`, () =>
      gl.api.ProjectHooks.add(repoPath, url, {
        token: secret,
        pushEvents: true,
        issuesEvents: true,
        noteEvents: true,
        mergeRequestsEvents: true,
        pipelineEvents: true,
        enableSslVerification: true,
      }),
    );
    return "created";
  } catch (error) {
    if (error instanceof ForgeError && (error.problem === "permission" || error.problem === "not_found"))
      return "not_allowed";
    throw error;
  }
}
