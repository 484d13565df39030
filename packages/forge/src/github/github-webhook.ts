import { verify } from "@octokit/webhooks-methods";
import { z } from "zod";
import { branchPushEvents } from "../branch-push.ts";
import type { VerifiedWebhook } from "../forge-client.ts";
import type { ForgeEvent } from "../forge-model.ts";
import {
  checkFromRun,
  checkFromStatus,
  GhCheckRun,
  GhComment,
  GhIssue,
  GhPull,
  GhRepo,
  GhReviewComment,
  GhStatus,
  GhUser,
  issueDescription,
  toChangeRequest,
  toComment,
  toReviewComment,
  toUser,
} from "./github-objects.ts";

/** GitHub's delivery GUID: what redeliveries repeat, so Cadre stores each delivery once by it. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[a-z_]{1,64}$/;

/**
 * Authenticates a delivery as GitHub signs it: `X-Hub-Signature-256` is `sha256=` and the hex
 * HMAC-SHA256 of the raw body with the webhook secret, compared in constant time.
 */
export async function verifyGithubWebhook(
  headers: Record<string, string | undefined>,
  rawBody: string,
  secret: string,
): Promise<VerifiedWebhook> {
  const signature = headers["x-hub-signature-256"];
  if (!signature) return { ok: false, reason: "the X-Hub-Signature-256 header is missing" };
  if (!secret || rawBody === "") return { ok: false, reason: "the delivery has no body" };
  if (!(await verify(secret, rawBody, signature)))
    return { ok: false, reason: "the X-Hub-Signature-256 signature does not match the webhook secret" };
  const deliveryId = headers["x-github-delivery"] ?? "";
  const event = headers["x-github-event"] ?? "";
  if (!DELIVERY_ID.test(deliveryId))
    return { ok: false, reason: "the X-GitHub-Delivery header is missing or malformed" };
  if (!EVENT_NAME.test(event)) return { ok: false, reason: "the X-GitHub-Event header is missing or malformed" };
  return { ok: true, deliveryId, event };
}

const Base = z.object({ action: z.string().optional(), repository: GhRepo, sender: GhUser.optional() });

const PULL_ACTIONS: Record<string, "opened" | "updated" | "ready" | "closed" | "reopened"> = {
  opened: "opened",
  synchronize: "updated",
  ready_for_review: "ready",
  closed: "closed",
  reopened: "reopened",
};

function parseIssues(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ issue: GhIssue, label: z.object({ name: z.string() }).optional() }).parse(payload);
  if (p.action === "labeled" && p.label && !p.issue.pull_request)
    return [
      {
        kind: "issue_labelled",
        repoPath: p.repository.full_name,
        thread: { kind: "issue", number: p.issue.number },
        label: p.label.name,
        title: p.issue.title,
        url: p.issue.html_url,
      },
    ];
  if (p.action !== "opened") return [];
  return [
    {
      kind: "comment_created",
      repoPath: p.repository.full_name,
      thread: { kind: "issue", number: p.issue.number },
      comment: issueDescription(p.issue),
    },
  ];
}

function parseIssueComment(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ issue: GhIssue, comment: GhComment }).parse(payload);
  if (p.action !== "created") return [];
  const kind = p.issue.pull_request ? "change_request" : "issue";
  return [
    {
      kind: "comment_created",
      repoPath: p.repository.full_name,
      thread: { kind, number: p.issue.number },
      comment: toComment(p.comment),
    },
  ];
}

function parseReviewComment(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ comment: GhReviewComment, pull_request: z.object({ number: z.number() }) }).parse(payload);
  if (p.action !== "created") return [];
  return [
    {
      kind: "comment_created",
      repoPath: p.repository.full_name,
      thread: { kind: "change_request", number: p.pull_request.number },
      comment: toReviewComment(p.comment),
    },
  ];
}

function parsePullRequest(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ pull_request: GhPull }).parse(payload);
  const action = PULL_ACTIONS[p.action ?? ""];
  if (!action) return [];
  const changeRequest = toChangeRequest(p.pull_request);
  const events: ForgeEvent[] = [
    { kind: "change_request", action, repoPath: p.repository.full_name, changeRequest, actor: toUser(p.sender) },
  ];
  // A pull request's description is where its author may ask Cadre first.
  if (action === "opened" && changeRequest.body.trim() !== "")
    events.push({
      kind: "comment_created",
      repoPath: p.repository.full_name,
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

function parseCheckRun(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ check_run: GhCheckRun }).parse(payload);
  if (p.action !== "completed") return [];
  return [{ kind: "check_completed", repoPath: p.repository.full_name, check: checkFromRun(p.check_run) }];
}

function parseStatus(payload: unknown): ForgeEvent[] {
  const p = Base.extend(GhStatus.shape).parse(payload);
  if (p.state === "pending") return [];
  return [
    { kind: "check_completed", repoPath: p.repository.full_name, check: checkFromStatus(p, p.sender?.login ?? "") },
  ];
}

function parsePush(payload: unknown): ForgeEvent[] {
  const p = Base.extend({ ref: z.string(), after: z.string(), deleted: z.boolean().optional() }).parse(payload);
  return branchPushEvents({
    repoPath: p.repository.full_name,
    ref: p.ref,
    after: p.after,
    ...(p.deleted === undefined ? {} : { deleted: p.deleted }),
    actor: toUser(p.sender),
  });
}

const PARSERS: Record<string, (payload: unknown) => ForgeEvent[]> = {
  push: parsePush,
  issues: parseIssues,
  issue_comment: parseIssueComment,
  pull_request_review_comment: parseReviewComment,
  pull_request: parsePullRequest,
  check_run: parseCheckRun,
  status: parseStatus,
};

/** A delivery's events in Cadre's terms; events Cadre does not handle give none. */
export function parseGithubWebhook(event: string, payload: unknown): ForgeEvent[] {
  if (event === "ping") return [{ kind: "ping" }];
  const parser = PARSERS[event];
  return parser ? parser(payload) : [];
}
