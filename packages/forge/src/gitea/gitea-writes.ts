import { z } from "zod";
import type { NewChangeRequest } from "../forge-client.ts";
import type { ChangeRequest, ForgeComment, ThreadRef } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import type { GiteaApi } from "./gitea-api.ts";
import { GtComment, GtPull, toChangeRequest } from "./gitea-objects.ts";

/** The events Cadre needs from a repository webhook it creates (Gitea's event names). */
const WEBHOOK_EVENTS = [
  "push",
  "issues",
  "issue_label",
  "issue_comment",
  "pull_request",
  "pull_request_sync",
  "status",
];

export async function openChangeRequest(
  api: GiteaApi,
  repoPath: string,
  request: NewChangeRequest,
): Promise<ChangeRequest> {
  const data = await api.post(
    `opening a pull request from ${request.head} into ${request.base}`,
    `${api.repo(repoPath)}/pulls`,
    {
      head: request.head,
      base: request.base,
      // Gitea marks work in progress by the title's prefix.
      title: request.draft ? `WIP: ${request.title}` : request.title,
      body: request.body,
    },
  );
  return toChangeRequest(GtPull.parse(data));
}

export async function updateChangeRequest(
  api: GiteaApi,
  repoPath: string,
  number: number,
  change: { title?: string; body?: string },
): Promise<void> {
  await api.patch(`updating pull request #${number}`, `${api.repo(repoPath)}/pulls/${number}`, change);
}

export async function comment(
  api: GiteaApi,
  repoPath: string,
  thread: ThreadRef,
  body: string,
): Promise<{ id: string; url: string }> {
  const data = await api.post(
    `commenting on #${thread.number}`,
    `${api.repo(repoPath)}/issues/${thread.number}/comments`,
    { body },
  );
  const created = GtComment.parse(data);
  return { id: String(created.id), url: created.html_url };
}

/** 👀 on the comment (or the issue) that asked for work. */
export async function acknowledge(
  api: GiteaApi,
  repoPath: string,
  thread: ThreadRef,
  target: ForgeComment,
): Promise<void> {
  const path =
    target.kind === "description"
      ? `${api.repo(repoPath)}/issues/${thread.number}/reactions`
      : `${api.repo(repoPath)}/issues/comments/${Number(target.id)}/reactions`;
  await api.post(`reacting on #${thread.number}`, path, { content: "eyes" });
}

/** Adds Cadre's webhook unless the repository has it; "not_allowed" when the token may not (admins may). */
export async function ensureWebhook(
  api: GiteaApi,
  repoPath: string,
  url: string,
  secret: string,
): Promise<"created" | "exists" | "not_allowed"> {
  try {
    const hooks = z
      .array(z.object({ id: z.number(), config: z.record(z.string(), z.string()) }))
      .parse(await api.get(`listing the webhooks of ${repoPath}`, `${api.repo(repoPath)}/hooks`));
    if (hooks.some((hook) => hook.config.url === url)) return "exists";
    await api.post(`adding a webhook to ${repoPath}`, `${api.repo(repoPath)}/hooks`, {
      type: "gitea",
      active: true,
      events: WEBHOOK_EVENTS,
      config: { url, content_type: "json", secret },
    });
    return "created";
  } catch (error) {
    if (error instanceof ForgeError && (error.problem === "permission" || error.problem === "not_found"))
      return "not_allowed";
    throw error;
  }
}
