import { WEBHOOK_FORMS, type Forge } from "@cadre/protocol";

/** What is left to do by hand so the forge's events reach Cadre (as `cadre forge add` prints it). */
export function forgeWebhookSteps(forge: Forge): string[] {
  if (forge.pollSeconds) return [`Cadre polls ${forge.name} every ${forge.pollSeconds} seconds: no webhook is needed.`];
  if (forge.auth.kind === "app")
    return [
      "Set the GitHub App's webhook URL to the one above, its secret to the webhook secret you gave here, and its content type to application/json.",
    ];
  const form = WEBHOOK_FORMS[forge.kind];
  return [
    `Cadre adds this webhook to each repo you add on ${forge.name} when its token may (admin on the repository).`,
    `Where it may not, add it in the repository's ${form.where}: the URL above, content type application/json, the webhook secret you gave here, and the events ${form.events}.`,
  ];
}
