import { forgeNouns } from "@cadre/protocol";
import type { ForgeAdapter } from "../forge-client.ts";
import { GithubForge } from "./github-forge.ts";
import { parseGithubWebhook, verifyGithubWebhook } from "./github-webhook.ts";

/** `owner/name` of https://host/owner/name(.git), git@host:owner/name(.git) or ssh://git@host/owner/name. */
function repoPathFromUrl(url: string): string | null {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : null;
}

/** GitHub's web host for its API host: api.github.com → github.com, https://ghe/api/v3 → https://ghe. */
function webUrlFor(apiUrl: string): string {
  const url = new URL(apiUrl);
  if (url.hostname === "api.github.com") return "https://github.com";
  return `${url.origin}${url.pathname.replace(/\/api\/v3\/?$/, "").replace(/\/+$/, "")}`;
}

/** GitHub and GitHub Enterprise Server. */
export const githubAdapter: ForgeAdapter = {
  kind: "github",
  title: "GitHub",
  nouns: forgeNouns("github"),
  deliveryHeader: "x-github-delivery",
  connect: (connection) => new GithubForge(connection),
  verifyWebhook: verifyGithubWebhook,
  parseWebhook: parseGithubWebhook,
  repoPathFromUrl,
  changeRequestRef: (number) => `refs/pull/${number}/head`,
  webUrlFor,
  // github.com asks clients to pace writes; Enterprise Server has rate limits off by default.
  canPoll: true,
  pacedByDefault: (apiUrl) => new URL(apiUrl).hostname === "api.github.com",
};
