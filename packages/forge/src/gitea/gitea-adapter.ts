import { forgeNouns } from "@cadre/protocol";
import type { ForgeAdapter } from "../forge-client.ts";
import { GiteaForge } from "./gitea-forge.ts";
import { parseGiteaWebhook, verifyGiteaWebhook } from "./gitea-webhook.ts";

/** `owner/name` of https://host/owner/name(.git), git@host:owner/name(.git) or ssh://git@host/owner/name. */
function repoPathFromUrl(url: string): string | null {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?[^/:]+(?::\d+)?(?:\/[^/]+)*?[:/]([^/]+)\/([^/]+?)(?:\.git)?\/?$/i.exec(
    url.trim(),
  );
  return m ? `${m[1]}/${m[2]}` : null;
}

/** Gitea and Forgejo (one adapter: Forgejo speaks Gitea's API and sends both header sets). */
export const giteaAdapter: ForgeAdapter = {
  kind: "gitea",
  title: "Gitea",
  nouns: forgeNouns("gitea"),
  deliveryHeader: "x-gitea-delivery",
  connect: (connection) => new GiteaForge(connection),
  verifyWebhook: verifyGiteaWebhook,
  parseWebhook: parseGiteaWebhook,
  repoPathFromUrl,
  changeRequestRef: (number) => `refs/pull/${number}/head`,
  webUrlFor: (apiUrl) => apiUrl.replace(/\/+$/, "").replace(/\/api\/v1$/, ""),
  canPoll: false,
  pacedByDefault: () => false,
};
