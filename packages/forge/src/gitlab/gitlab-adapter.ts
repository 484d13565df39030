import { forgeNouns } from "@cadre/protocol";
import type { ForgeAdapter } from "../forge-client.ts";
import { gitlabHost } from "./gitlab-context.ts";
import { GitlabForge } from "./gitlab-forge.ts";
import { parseGitlabWebhook, verifyGitlabWebhook } from "./gitlab-webhook.ts";

/** `group/sub/name` of https://host/group/sub/name(.git), git@host:group/name(.git) or ssh://git@host/group/name. */
function repoPathFromUrl(url: string): string | null {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[:/]((?:[^/]+\/)+[^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m?.[1] ?? null;
}

/** GitLab: gitlab.com and self-managed instances (API v4). */
export const gitlabAdapter: ForgeAdapter = {
  kind: "gitlab",
  title: "GitLab",
  nouns: forgeNouns("gitlab"),
  deliveryHeader: "idempotency-key",
  connect: (connection) => new GitlabForge(connection),
  verifyWebhook: verifyGitlabWebhook,
  parseWebhook: parseGitlabWebhook,
  repoPathFromUrl,
  changeRequestRef: (number) => `refs/merge-requests/${number}/head`,
  webUrlFor: gitlabHost,
  // GitLab answers busy clients with 429 and Retry-After, which @gitbeaker/rest waits out.
  canPoll: false,
  pacedByDefault: () => false,
};
