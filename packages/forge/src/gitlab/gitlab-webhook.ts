import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { branchPushEvents } from "../branch-push.ts";
import type { VerifiedWebhook } from "../forge-client.ts";
import type { ChangeRequest, CheckResult, ForgeEvent, ForgeUser } from "../forge-model.ts";
import { toUser } from "./gitlab-objects.ts";

/**
 * Webhook payloads as GitLab documents them (docs.gitlab.com/user/project/integrations/webhook_events):
 * only the fields Cadre reads.
 */
const Project = z.object({ id: z.number(), path_with_namespace: z.string(), web_url: z.string() });
const User = z.object({ id: z.number(), username: z.string() });
const Base = z.object({ object_kind: z.string(), user: User, project: Project });

const NoteHook = Base.extend({
  object_attributes: z.object({
    id: z.number(),
    note: z.string(),
    noteable_type: z.string(),
    created_at: z.string(),
    url: z.string(),
    system: z.boolean().optional(),
    type: z.string().nullable().optional(),
    position: z
      .object({ new_path: z.string().nullable().optional(), new_line: z.number().nullable().optional() })
      .nullable()
      .optional(),
  }),
  issue: z.object({ iid: z.number() }).optional(),
  merge_request: z.object({ iid: z.number() }).optional(),
});

const Label = z.object({ title: z.string() });

const IssueHook = Base.extend({
  object_attributes: z.object({
    iid: z.number(),
    title: z.string(),
    description: z.string().nullable().optional(),
    url: z.string(),
    created_at: z.string(),
    action: z.string().optional(),
  }),
  /** What the event changed; for labels, the issue's labels before and after. */
  changes: z.object({ labels: z.object({ previous: z.array(Label), current: z.array(Label) }).optional() }).optional(),
});

/** A Push Hook names its pusher by flat fields, not a `user` object (docs: "Push events"). */
const PushHook = z.object({
  object_kind: z.literal("push"),
  ref: z.string(),
  after: z.string(),
  user_id: z.number(),
  user_username: z.string(),
  project: Project,
});

const MergeRequestHook = Base.extend({
  object_attributes: z.object({
    iid: z.number(),
    url: z.string(),
    title: z.string(),
    description: z.string().nullable().optional(),
    state: z.string(),
    action: z.string().optional(),
    draft: z.boolean().optional(),
    author_id: z.number(),
    source_branch: z.string(),
    target_branch: z.string(),
    source_project_id: z.number(),
    target_project_id: z.number(),
    last_commit: z.object({ id: z.string() }),
    oldrev: z.string().optional(),
    created_at: z.string(),
  }),
  changes: z.object({ draft: z.object({ previous: z.boolean(), current: z.boolean() }).optional() }).optional(),
});

const PipelineHook = Base.extend({
  object_attributes: z.object({
    id: z.number(),
    sha: z.string(),
    status: z.string(),
    url: z.string().optional(),
  }),
  merge_request: z.object({ iid: z.number() }).nullable().optional(),
  builds: z.array(z.object({ id: z.number(), name: z.string(), status: z.string() })).optional(),
});

/** A UUID-like id: GitLab's Idempotency-Key (the same on retries) or X-Gitlab-Event-UUID. */
const DELIVERY_ID = /^[A-Za-z0-9-]{1,100}$/;
const EVENT_NAME = /^[A-Za-z ]{1,64} Hook$/;
/** Pipeline states that are final (docs: pipelines API `status`). */
const FINISHED = new Set(["success", "failed", "canceled", "skipped"]);

function sameSecret(given: string, secret: string): boolean {
  // Digests have one length, so the compare takes the same time whatever the given token's length.
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(secret).digest();
  return timingSafeEqual(a, b);
}

/**
 * GitLab sends the webhook's secret token as X-Gitlab-Token (no signature), compared in constant
 * time. A delivery is known by Idempotency-Key (stable across retries) or else X-Gitlab-Event-UUID.
 */
export async function verifyGitlabWebhook(
  headers: Record<string, string | undefined>,
  _rawBody: string,
  secret: string,
): Promise<VerifiedWebhook> {
  const token = headers["x-gitlab-token"];
  if (!token) return { ok: false, reason: "the X-Gitlab-Token header is missing" };
  if (!secret || !sameSecret(token, secret))
    return { ok: false, reason: "the X-Gitlab-Token does not match the webhook secret" };
  const deliveryId = headers["idempotency-key"] ?? headers["x-gitlab-event-uuid"] ?? "";
  const event = headers["x-gitlab-event"] ?? "";
  if (!DELIVERY_ID.test(deliveryId))
    return { ok: false, reason: "the Idempotency-Key and X-Gitlab-Event-UUID headers are missing or malformed" };
  if (!EVENT_NAME.test(event)) return { ok: false, reason: "the X-Gitlab-Event header is missing or malformed" };
  return { ok: true, deliveryId, event };
}

function parseNote(payload: unknown): ForgeEvent[] {
  const p = NoteHook.parse(payload);
  const note = p.object_attributes;
  const number =
    note.noteable_type === "Issue" ? p.issue?.iid : note.noteable_type === "MergeRequest" ? p.merge_request?.iid : null;
  if (note.system || !number) return [];
  const file = note.type === "DiffNote" ? (note.position?.new_path ?? undefined) : undefined;
  const line = file ? (note.position?.new_line ?? undefined) : undefined;
  return [
    {
      kind: "comment_created",
      repoPath: p.project.path_with_namespace,
      thread: { kind: note.noteable_type === "Issue" ? "issue" : "change_request", number },
      comment: {
        id: String(note.id),
        kind: file ? "review_comment" : "comment",
        author: toUser(p.user),
        body: note.note,
        url: note.url,
        createdAt: note.created_at,
        ...(file ? { file } : {}),
        ...(line ? { line } : {}),
      },
    },
  ];
}

/** Labels the event added: in the changes' current labels and not in their previous ones. */
function labelsAdded(p: z.infer<typeof IssueHook>): ForgeEvent[] {
  const labels = p.changes?.labels;
  if (!labels) return [];
  const before = new Set(labels.previous.map((label) => label.title));
  const issue = p.object_attributes;
  return labels.current
    .filter((label) => !before.has(label.title))
    .map((label): ForgeEvent => ({
      kind: "issue_labelled",
      repoPath: p.project.path_with_namespace,
      thread: { kind: "issue", number: issue.iid },
      label: label.title,
      title: issue.title,
      url: issue.url,
    }));
}

function parseIssue(payload: unknown): ForgeEvent[] {
  const p = IssueHook.parse(payload);
  const issue = p.object_attributes;
  const labelled = labelsAdded(p);
  if (issue.action !== "open") return labelled;
  return [
    ...labelled,
    {
      kind: "comment_created",
      repoPath: p.project.path_with_namespace,
      thread: { kind: "issue", number: issue.iid },
      comment: {
        id: "description",
        kind: "description",
        author: toUser(p.user),
        body: issue.description ?? "",
        url: issue.url,
        createdAt: issue.created_at,
      },
    },
  ];
}

function parsePush(payload: unknown): ForgeEvent[] {
  const p = PushHook.parse(payload);
  return branchPushEvents({
    repoPath: p.project.path_with_namespace,
    ref: p.ref,
    after: p.after,
    actor: toUser({ username: p.user_username }),
  });
}

type MergeRequestAction = "opened" | "updated" | "ready" | "closed" | "reopened";

function actionOf(p: z.infer<typeof MergeRequestHook>): MergeRequestAction | null {
  const action = p.object_attributes.action;
  if (action === "open") return "opened";
  if (action === "close" || action === "merge") return "closed";
  if (action === "reopen") return "reopened";
  if (action !== "update") return null;
  if (p.object_attributes.oldrev) return "updated";
  return p.changes?.draft?.previous === true && p.changes.draft.current === false ? "ready" : null;
}

function hookChangeRequest(p: z.infer<typeof MergeRequestHook>, actor: ForgeUser): ChangeRequest {
  const mr = p.object_attributes;
  const state = mr.state === "merged" ? "merged" : mr.state === "opened" ? "open" : "closed";
  const repoPath = p.project.path_with_namespace;
  return {
    number: mr.iid,
    url: mr.url,
    title: mr.title,
    body: mr.description ?? "",
    state,
    draft: mr.draft ?? false,
    // The payload names the author by id only: the actor is the author when it is them.
    author: mr.author_id === p.user.id ? actor : { login: `user-${mr.author_id}`, isBot: false },
    head: {
      branch: mr.source_branch,
      commit: mr.last_commit.id,
      repoPath: mr.source_project_id === mr.target_project_id ? repoPath : `project-${mr.source_project_id}`,
    },
    base: { branch: mr.target_branch, commit: "" },
  };
}

function parseMergeRequest(payload: unknown): ForgeEvent[] {
  const p = MergeRequestHook.parse(payload);
  const action = actionOf(p);
  if (!action) return [];
  const actor = toUser(p.user);
  const changeRequest = hookChangeRequest(p, actor);
  const repoPath = p.project.path_with_namespace;
  const events: ForgeEvent[] = [{ kind: "change_request", action, repoPath, changeRequest, actor }];
  // A merge request's description is where its author may ask Cadre first.
  if (action === "opened" && changeRequest.body.trim() !== "")
    events.push({
      kind: "comment_created",
      repoPath,
      thread: { kind: "change_request", number: changeRequest.number },
      comment: {
        id: "description",
        kind: "description",
        author: actor,
        body: changeRequest.body,
        url: changeRequest.url,
        createdAt: p.object_attributes.created_at,
      },
    });
  return events;
}

/** A finished pipeline as a check named after its failed jobs (their traces are the log). */
function parsePipeline(payload: unknown): ForgeEvent[] {
  const p = PipelineHook.parse(payload);
  const pipeline = p.object_attributes;
  if (!FINISHED.has(pipeline.status)) return [];
  const failedJobs = (p.builds ?? []).filter((b) => b.status === "failed").map((b) => b.name);
  const check: CheckResult = {
    id: `pipeline:${pipeline.id}`,
    name: failedJobs.length ? [...new Set(failedJobs)].sort().join(", ") : "pipeline",
    source: "check",
    commit: pipeline.sha,
    failed: pipeline.status === "failed",
    conclusion: pipeline.status,
    title: `Pipeline #${pipeline.id} ${pipeline.status}`,
    summary: failedJobs.length ? `Failed jobs: ${failedJobs.join(", ")}` : null,
    text: null,
    url: pipeline.url ?? `${p.project.web_url}/-/pipelines/${pipeline.id}`,
    changeRequests: p.merge_request ? [p.merge_request.iid] : [],
    reporter: "gitlab-ci",
  };
  return [{ kind: "check_completed", repoPath: p.project.path_with_namespace, check }];
}

const PARSERS: Record<string, (payload: unknown) => ForgeEvent[]> = {
  "Push Hook": parsePush,
  "Note Hook": parseNote,
  "Issue Hook": parseIssue,
  "Merge Request Hook": parseMergeRequest,
  "Pipeline Hook": parsePipeline,
};

/** A delivery's events in Cadre's terms; events Cadre does not handle give none. */
export function parseGitlabWebhook(event: string, payload: unknown): ForgeEvent[] {
  const parser = PARSERS[event];
  return parser ? parser(payload) : [];
}
