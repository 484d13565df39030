import type { ForgeAdapter } from "../forge-client.ts";
import { GithubForge } from "./github-forge.ts";
import { parseGithubWebhook, verifyGithubWebhook } from "./github-webhook.ts";

/** `owner/name` of https://host/owner/name(.git), git@host:owner/name(.git) or ssh://git@host/owner/name. */
function repoPathFromUrl(url: string): string | null {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : null;
}

/** GitHub and GitHub Enterprise Server. */
export const githubAdapter: ForgeAdapter = {
  kind: "github",
  title: "GitHub",
  deliveryHeader: "x-github-delivery",
  connect: (connection) => new GithubForge(connection),
  verifyWebhook: verifyGithubWebhook,
  parseWebhook: parseGithubWebhook,
  repoPathFromUrl,
  changeRequestRef: (number) => `refs/pull/${number}/head`,
};
