import type { ForgeKind } from "./forge.ts";

/** What a person fills in on a forge's webhook form, in the forge's own words (the CLI and the web app print it). */
export interface WebhookForm {
  where: string;
  url: string;
  secret: string;
  events: string;
}

export const WEBHOOK_FORMS: Record<ForgeKind, WebhookForm> = {
  github: {
    where: "Settings → Webhooks",
    url: "Payload URL",
    secret: "Secret",
    events: "Issues, Issue comments, Pull requests, Pull request review comments, Check runs, Statuses",
  },
  gitlab: {
    where: "Settings → Webhooks",
    url: "URL",
    secret: "Secret token",
    events: "Push events, Issues events, Comments, Merge request events, Pipeline events",
  },
  gitea: {
    where: "Settings → Webhooks → Add webhook → Gitea (Forgejo)",
    url: "Target URL",
    secret: "Secret",
    events: "Push, Issues, Issue label, Issue comment, Pull request, Pull request synchronized, Commit status",
  },
};
