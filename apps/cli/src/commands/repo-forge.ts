import type { Command } from "commander";
import { Option } from "commander";
import { SEVERITIES, WEBHOOK_FORMS, type Repo } from "@cadre/protocol";
import type { CadreClient } from "@cadre/client";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** How the forge's events reach Cadre for a repo just added, with the steps when a person must act. */
export async function webhookNote(client: CadreClient, repo: Repo): Promise<string | null> {
  const forge = repo.forge;
  if (!forge) return null;
  if (forge.webhook === "created") return `Cadre added its webhook to ${forge.repoPath}.`;
  if (forge.webhook === "exists") return `${forge.repoPath} already has Cadre's webhook.`;
  if (forge.webhook === "app")
    return `Events come through the GitHub App's webhook: install the app on ${forge.repoPath}.`;
  if (forge.webhook === "poll") return `Cadre polls ${forge.name} for ${forge.repoPath}'s events.`;
  const { webhookUrl, kind } = await client.call("getForge", { params: { name: forge.name } });
  const form = WEBHOOK_FORMS[kind];
  return [
    `Cadre's token may not add webhooks to ${forge.repoPath}. Add one in its ${form.where}:`,
    `  ${form.url}: ${webhookUrl}`,
    "  Content type: application/json",
    `  ${form.secret}: the webhook secret given to 'cadre forge add ${forge.name}'`,
    `  Events: ${form.events}`,
  ].join("\n");
}

interface SetFlags {
  autoReview?: boolean;
  reviewDrafts?: boolean;
  ciFeedback?: boolean;
  failOn?: string;
  json?: boolean;
}

/** `cadre repo set <repo>`: how a forge repo behaves (automatic reviews, CI feedback, the review check). */
export function registerRepoSet(repo: Command): void {
  repo
    .command("set")
    .description("settings of a repo on a forge: automatic reviews, CI feedback, when the review check fails")
    .argument("<repo>", "repo name or id")
    .option("--auto-review", "review every pull request when it is opened or updated")
    .option("--no-auto-review", "review only when asked (@cadre review)")
    .option("--review-drafts", "with --auto-review: drafts too")
    .option("--no-review-drafts", "skip drafts")
    .option("--ci-feedback", "a failed check on Cadre's pull request starts a follow-up (at most 2)")
    .option("--no-ci-feedback", "failed checks start nothing")
    .addOption(
      new Option("--fail-on <severity>", "the 'Cadre review' check fails on findings this severe").choices([
        ...SEVERITIES,
        "none",
      ]),
    )
    .option("--json", "print JSON")
    .action(async (name: string, flags: SetFlags, cmd: Command) => {
      const client = await clientFor(cmd);
      const settings = {
        ...(flags.autoReview !== undefined ? { autoReview: flags.autoReview } : {}),
        ...(flags.reviewDrafts !== undefined ? { reviewDrafts: flags.reviewDrafts } : {}),
        ...(flags.ciFeedback !== undefined ? { ciFeedback: flags.ciFeedback } : {}),
        ...(flags.failOn
          ? { failOn: flags.failOn === "none" ? null : (flags.failOn as (typeof SEVERITIES)[number]) }
          : {}),
      };
      const updated = await client.call("updateRepo", { params: { id: name }, body: { forgeSettings: settings } });
      if (flags.json) return printJson(stdio, updated);
      const s = updated.forge?.settings;
      stdio.out(
        s
          ? `${updated.name}: automatic reviews ${s.autoReview ? `on${s.reviewDrafts ? " (drafts too)" : ""}` : "off"}, CI feedback ${s.ciFeedback ? "on" : "off"}, the review check fails on ${s.failOn ?? "nothing"}`
          : `${updated.name} is not on a forge`,
      );
    });
}
