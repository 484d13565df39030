import { CadreError, type Delivery } from "@cadre/protocol";
import { deliveryContent, deliveryIdentities, deliverySource, pushDelivery } from "@cadre/delivery";
import type { ChangeRequest } from "@cadre/forge";
import { firstParagraph } from "./change-request-body.ts";
import type { ChangeRequestInput, Place } from "./deliver-change-request.ts";
import { tracked } from "./forge-scope.ts";

type PullRequestDelivery = Extract<Delivery, { kind: "pull_request" }>;

/** Why Cadre may not push to someone else's change request, said to them with what to do; null when it may try. */
async function refusal(p: Place, changeRequest: ChangeRequest): Promise<string | null> {
  const head = changeRequest.head;
  if (head.repoPath.toLowerCase() !== p.repoPath.toLowerCase())
    return `its branch \`${head.branch}\` is on the fork ${head.repoPath || "(a deleted fork)"}, where Cadre's credentials may not push`;
  const info = await tracked(p.scope, (client) => client.repository(p.repoPath));
  if (!info.canPush) return `Cadre's credentials may not push to ${p.repoPath} (they have no write permission there)`;
  return null;
}

/** What a refused push means, in words the change request's people can act on; other failures are rethrown. */
function pushRefused(error: unknown, branch: string): string {
  if (!(error instanceof CadreError)) throw error;
  if (error.code === "conflict")
    return `\`${branch}\` moved on since Cadre started from it, and Cadre never pushes over someone else's commits`;
  const rejected = (error.details as { rejected?: { reason: string }[] } | undefined)?.rejected ?? [];
  if (error.code === "git_failed" && rejected.length > 0)
    return `the forge refused Cadre's push to \`${branch}\` (${rejected.map((r) => r.reason).join("; ")}: a protected branch, or a rule Cadre's credentials do not pass)`;
  throw error;
}

function refusedNote(p: Place, input: ChangeRequestInput, why: string): string {
  const id = input.task.id;
  return [
    `Cadre made the change but pushed nothing: ${why}.`,
    `Review it in Cadre: ${p.scope.ctx.forges.taskUrl(id)}. To take it, apply it in a checkout of this ${p.scope.adapter.nouns.changeRequest}'s branch and push it yourself (\`cadre apply ${id}\`), or let Cadre push there (write access for its account, or a branch rule that allows it) and mention @${p.scope.forge.botName} again.`,
  ].join("\n\n");
}

/**
 * The first push to someone else's change request: one commit on top of the head the task started
 * from, pushed to its branch without force. Where Cadre may not push (a fork, no write permission,
 * a protected branch, a branch that moved on), the change request is told why and what to do, and
 * nothing is pushed anywhere.
 */
export async function pushToTheirBranch(
  p: Place,
  input: ChangeRequestInput,
  record: (delivery: PullRequestDelivery) => Promise<void>,
): Promise<PullRequestDelivery | null> {
  const { task, attempt, link } = input;
  const number = link.changeRequest as number;
  const thread = { kind: "change_request" as const, number };
  const say = (body: string) => tracked(p.scope, (client) => client.comment(p.repoPath, thread, body));
  const changeRequest = await tracked(p.scope, (client) => client.changeRequest(p.repoPath, number));
  const branch = changeRequest.head.branch;
  const refused = await refusal(p, changeRequest);
  if (refused) {
    await say(refusedNote(p, input, refused));
    return null;
  }
  const identities = await deliveryIdentities(p.scope.ctx.store, task.createdBy, p.scope.ctx.env);
  const content = await deliveryContent({
    gitDir: p.gitDir,
    source: deliverySource(task, attempt),
    identities,
    parent: task.baseCommit,
  });
  let pushed: string;
  try {
    // The origin's commit when this change landed there before a crash kept it from being recorded.
    pushed = await pushDelivery({
      gitDir: p.gitDir,
      origin: p.repo.origin,
      branch,
      commit: content.commit,
      expect: task.baseCommit,
      taskId: task.id,
      remote: p.remote,
    });
  } catch (error) {
    await say(refusedNote(p, input, pushRefused(error, branch)));
    return null;
  }
  const delivery: PullRequestDelivery = {
    kind: "pull_request",
    forge: p.scope.forge.name,
    forgeKind: p.scope.adapter.kind,
    number,
    url: changeRequest.url,
    branch,
    commit: pushed,
    state: "open",
    attemptHead: attempt.headCommit,
  };
  // Recorded before it is said: a mention answering the comment must find the push.
  await record(delivery);
  await say(`Pushed ${pushed.slice(0, 12)} to \`${branch}\`. ${firstParagraph(attempt.summary)}`.trim());
  return delivery;
}
