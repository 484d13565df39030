import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { branchPushEvents } from "../branch-push.ts";
import type { VerifiedWebhook } from "../forge-client.ts";
import type { ForgeEvent } from "../forge-model.ts";
import {
  checkFromStatus,
  GtComment,
  GtIssue,
  GtPull,
  GtUser,
  issueDescription,
  toChangeRequest,
  toComment,
  toUser,
} from "./gitea-objects.ts";

/** Webhook payloads as Gitea (and Forgejo) send them (docs.gitea.com/usage/webhooks): the fields Cadre reads. */
const Base = z.object({
  action: z.string().optional(),
  repository: z.object({ full_name: z.string() }),
  sender: GtUser,
});
const LabelledIssue = Base.extend({
  issue: GtIssue.extend({
    labels: z
      .array(z.object({ name: z.string() }))
      .nullable()
      .optional(),
  }),
});
/** Push payloads carry no `action` (modules/structs/hook.go: PushPayload). */
const Push = Base.extend({ ref: z.string(), after: z.string() });
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;
const PULL_ACTIONS: Record<string, "opened" | "updated" | "closed" | "reopened"> = {
  opened: "opened",
  synchronized: "updated",
  closed: "closed",
  reopened: "reopened",
};

/** Constant-time compare of the hex HMAC-SHA256 of the raw body (Gitea sends it bare, without "sha256="). */
function signedBy(secret: string, rawBody: string, signature: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac("sha256", secret).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
}

/**
 * Authenticates a delivery as Gitea signs it (`X-Gitea-Signature`) or Forgejo does
 * (`X-Forgejo-Signature`): the hex HMAC-SHA256 of the raw body with the webhook secret.
 */
export async function verifyGiteaWebhook(
  headers: Record<string, string | undefined>,
  rawBody: string,
  secret: string,
): Promise<VerifiedWebhook> {
  const signature = headers["x-forgejo-signature"] ?? headers["x-gitea-signature"];
  if (!signature) return { ok: false, reason: "the X-Gitea-Signature (or X-Forgejo-Signature) header is missing" };
  if (!secret || rawBody === "") return { ok: false, reason: "the delivery has no body" };
  if (!signedBy(secret, rawBody, signature))
    return { ok: false, reason: "the signature does not match the webhook secret" };
  const deliveryId = headers["x-forgejo-delivery"] ?? headers["x-gitea-delivery"] ?? "";
  const event = headers["x-forgejo-event"] ?? headers["x-gitea-event"] ?? "";
  if (!DELIVERY_ID.test(deliveryId))
    return { ok: false, reason: "the X-Gitea-Delivery header is missing or malformed" };
  if (!EVENT_NAME.test(event)) return { ok: false, reason: "the X-Gitea-Event header is missing or malformed" };
  return { ok: true, deliveryId, event };
}

/**
 * Gitea's `label_updated` (sent as event "issues", type "issue_label") carries the issue's labels
 * after the change, not which one was added: each is reported, and automations start once per
 * issue and label, so a label already there starts nothing again.
 */
function labelled(p: z.infer<typeof LabelledIssue>): ForgeEvent[] {
  return (p.issue.labels ?? []).map((label): ForgeEvent => ({
    kind: "issue_labelled",
    repoPath: p.repository.full_name,
    thread: { kind: "issue", number: p.issue.number },
    label: label.name,
    title: p.issue.title,
    url: p.issue.html_url,
  }));
}

function parseIssues(payload: unknown): ForgeEvent[] {
  const p = LabelledIssue.parse(payload);
  if (p.action === "label_updated" && !p.issue.pull_request) return labelled(p);
  if (p.action !== "opened") return [];
  const thread = { kind: "issue" as const, number: p.issue.number };
  return [{ kind: "comment_created", repoPath: p.repository.full_name, thread, comment: issueDescription(p.issue) }];
}

function parseIssueComment(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ issue: GtIssue, comment: GtComment, is_pull: z.boolean().optional() }).parse(payload);
  if (p.action !== "created") return [];
  const kind = p.is_pull || p.issue.pull_request ? "change_request" : "issue";
  return [
    {
      kind: "comment_created",
      repoPath: p.repository.full_name,
      thread: { kind, number: p.issue.number },
      comment: toComment(p.comment),
    },
  ];
}

function parsePullRequest(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ pull_request: GtPull }).parse(payload);
  const action = PULL_ACTIONS[p.action ?? ""];
  if (!action) return [];
  const changeRequest = toChangeRequest(p.pull_request);
  const repoPath = p.repository.full_name;
  const events: ForgeEvent[] = [{ kind: "change_request", action, repoPath, changeRequest, actor: toUser(p.sender) }];
  if (action === "opened" && changeRequest.body.trim() !== "")
    events.push({
      kind: "comment_created",
      repoPath,
      thread: { kind: "change_request", number: changeRequest.number },
      comment: {
        id: "description",
        kind: "description",
        author: changeRequest.author,
        body: changeRequest.body,
        url: changeRequest.url,
        createdAt: new Date().toISOString(),
      },
    });
  return events;
}

function parseStatus(payload: unknown): ForgeEvent[] {
  const p = Base.extend({
    id: z.number(),
    sha: z.string(),
    state: z.string(),
    context: z.string(),
    description: z.string(),
    target_url: z.string(),
  }).parse(payload);
  if (p.state === "pending") return [];
  return [
    { kind: "check_completed", repoPath: p.repository.full_name, check: checkFromStatus(p, p.sha, p.sender.login) },
  ];
}

function parsePush(payload: unknown): ForgeEvent[] {
  const p = Push.parse(payload);
  return branchPushEvents({ repoPath: p.repository.full_name, ref: p.ref, after: p.after, actor: toUser(p.sender) });
}

const PARSERS: Record<string, (payload: unknown) => ForgeEvent[]> = {
  push: parsePush,
  issues: parseIssues,
  issue_comment: parseIssueComment,
  pull_request: parsePullRequest,
  status: parseStatus,
};

/** A delivery's events in Cadre's terms; events Cadre does not handle give none. */
export function parseGiteaWebhook(event: string, payload: unknown): ForgeEvent[] {
  const parser = PARSERS[event];
  return parser ? parser(payload) : [];
}
