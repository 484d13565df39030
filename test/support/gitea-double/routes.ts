import { z } from "zod";
import type { GiteaDouble } from "./index.ts";
import { nextId, now, type Permission, type RepoState, type ThreadState } from "./state.ts";

/** Hook event types a webhook may subscribe to (modules/webhook/type.go: HookEventType). */
const HOOK_EVENTS = [
  "create",
  "delete",
  "fork",
  "push",
  "issues",
  "issue_assign",
  "issue_label",
  "issue_milestone",
  "issue_comment",
  "pull_request",
  "pull_request_assign",
  "pull_request_label",
  "pull_request_milestone",
  "pull_request_comment",
  "pull_request_review_approved",
  "pull_request_review_rejected",
  "pull_request_review_comment",
  "pull_request_sync",
  "pull_request_review_request",
  "wiki",
  "repository",
  "release",
  "package",
  "status",
  "workflow_job",
] as const;

/**
 * The REST calls the double answers, each as Gitea's API reference (/api/swagger, docs.gitea.com/api)
 * describes it: method, path, the documented query and body fields (anything else is refused), the
 * permission it needs, and an answer shaped like the documented object.
 */
export interface Answer {
  status: number;
  body: unknown;
  /** A plain-text body (a job log), not JSON. */
  text?: boolean;
}

export interface Call {
  actor: string;
  repo: RepoState | null;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface Route {
  method: "GET" | "POST" | "PATCH";
  path: string;
  doc: string;
  query?: z.ZodObject;
  body?: z.ZodObject;
  need?: Permission;
  handle(gt: GiteaDouble, call: Call): Answer | Promise<Answer>;
}

const Paging = { page: z.coerce.number().optional(), limit: z.coerce.number().optional() };
const ok = (body: unknown, status = 200): Answer => ({ status, body });
const notFound = (): Answer => ({ status: 404, body: { message: "The target couldn't be found.", errors: [] } });
const Reaction = z.strictObject({ content: z.string() });

function repoOf(call: Call): RepoState {
  if (!call.repo) throw new Error("a repository route ran without its repository");
  return call.repo;
}

function thread(call: Call, pull?: boolean): ThreadState | null {
  const found = repoOf(call).threads.get(Number(call.params.index));
  if (!found || (pull === true && !found.pull)) return null;
  return found;
}

const repoRoutes: Route[] = [
  {
    method: "GET",
    path: "/user",
    doc: "GET /user (userGetCurrent)",
    handle: (gt, call) => ok(gt.objects.user(call.actor)),
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo",
    doc: "GET /repos/{owner}/{repo} (repoGet)",
    need: "read",
    handle: (gt, call) => {
      const level = gt.permissionOf(call.actor, repoOf(call));
      return ok(
        gt.objects.repo(repoOf(call), {
          admin: level === "admin",
          push: level === "admin" || level === "write",
          pull: true,
        }),
      );
    },
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/collaborators/:collaborator/permission",
    doc: "GET /repos/{owner}/{repo}/collaborators/{collaborator}/permission (repoGetRepoPermissions)",
    need: "read",
    handle: (gt, call) => {
      const login = String(call.params.collaborator);
      if (!gt.users.has(login)) return notFound();
      const permission = gt.permissionOf(login, repoOf(call));
      return ok({
        permission: login === repoOf(call).owner ? "owner" : permission,
        role_name: permission,
        user: gt.objects.user(login),
      });
    },
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/statuses/:sha",
    doc: "POST /repos/{owner}/{repo}/statuses/{sha} (repoCreateStatus, CreateStatusOption)",
    body: z.strictObject({
      state: z.enum(["pending", "success", "error", "failure", "warning"]),
      context: z.string().optional(),
      description: z.string().optional(),
      target_url: z.string().optional(),
    }),
    need: "write",
    handle: (gt, call) => {
      const status = {
        id: nextId(),
        sha: String(call.params.sha),
        state: String(call.body.state),
        context: String(call.body.context ?? "default"),
        description: String(call.body.description ?? ""),
        targetUrl: String(call.body.target_url ?? ""),
        creator: call.actor,
      };
      repoOf(call).statuses.push(status);
      return ok(gt.objects.status(repoOf(call), status), 201);
    },
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/hooks",
    doc: "GET /repos/{owner}/{repo}/hooks (repoListHooks)",
    query: z.strictObject(Paging),
    need: "admin",
    handle: (_gt, call) =>
      ok(
        repoOf(call).hooks.map((h) => ({
          id: h.id,
          type: "gitea",
          config: { url: h.url, content_type: "json" },
          events: h.events,
          active: true,
        })),
      ),
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/hooks",
    doc: "POST /repos/{owner}/{repo}/hooks (repoCreateHook, CreateHookOption)",
    body: z.strictObject({
      type: z.enum([
        "gitea",
        "forgejo",
        "gogs",
        "slack",
        "discord",
        "dingtalk",
        "telegram",
        "msteams",
        "feishu",
        "matrix",
        "wechatwork",
        "packagist",
      ]),
      config: z.record(z.string(), z.string()),
      events: z.array(z.enum(HOOK_EVENTS)).optional(),
      branch_filter: z.string().optional(),
      active: z.boolean().optional(),
      authorization_header: z.string().optional(),
    }),
    need: "admin",
    handle: (gt, call) => {
      const config = call.body.config as Record<string, string>;
      const hook = gt.addHook(
        repoOf(call),
        String(config.url),
        String(config.secret ?? ""),
        (call.body.events as string[]) ?? [],
      );
      return ok(
        {
          id: hook.id,
          type: call.body.type,
          config: { url: hook.url, content_type: "json" },
          events: hook.events,
          active: true,
        },
        201,
      );
    },
  },
];

const issueRoutes: Route[] = [
  {
    method: "GET",
    path: "/repos/:owner/:repo/issues/:index",
    doc: "GET /repos/{owner}/{repo}/issues/{index} (issueGetIssue)",
    need: "read",
    handle: (gt, call) => {
      const found = thread(call);
      return found ? ok(gt.objects.issue(repoOf(call), found)) : notFound();
    },
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/issues/:index/comments",
    doc: "GET /repos/{owner}/{repo}/issues/{index}/comments (issueGetComments)",
    query: z.strictObject({ since: z.string().optional(), before: z.string().optional() }),
    need: "read",
    handle: (gt, call) => {
      const found = thread(call);
      return found ? ok(found.comments.map((c) => gt.objects.comment(repoOf(call), found, c))) : notFound();
    },
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/issues/:index/comments",
    doc: "POST /repos/{owner}/{repo}/issues/{index}/comments (issueCreateComment, CreateIssueCommentOption)",
    body: z.strictObject({ body: z.string().min(1) }),
    need: "read",
    handle: (gt, call) => {
      const found = thread(call);
      if (!found) return notFound();
      const created = { id: nextId(), body: String(call.body.body), user: call.actor, createdAt: now(), reactions: [] };
      found.comments.push(created);
      void gt.commentHook(repoOf(call), found, created);
      return ok(gt.objects.comment(repoOf(call), found, created), 201);
    },
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/issues/:index/reactions",
    doc: "POST /repos/{owner}/{repo}/issues/{index}/reactions (issuePostIssueReaction, EditReactionOption)",
    body: Reaction,
    need: "read",
    handle: (gt, call) => {
      const found = thread(call);
      if (!found) return notFound();
      found.reactions.push({ content: String(call.body.content), user: call.actor });
      return ok({ user: gt.objects.user(call.actor), content: call.body.content, created_at: now() }, 201);
    },
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/issues/comments/:id/reactions",
    doc: "POST /repos/{owner}/{repo}/issues/comments/{id}/reactions (issuePostCommentReaction, EditReactionOption)",
    body: Reaction,
    need: "read",
    handle: (gt, call) => {
      const target = [...repoOf(call).threads.values()]
        .flatMap((t) => t.comments)
        .find((c) => c.id === Number(call.params.id));
      if (!target) return notFound();
      target.reactions.push({ content: String(call.body.content), user: call.actor });
      return ok({ user: gt.objects.user(call.actor), content: call.body.content, created_at: now() }, 201);
    },
  },
];

export const ROUTES: Route[] = [...repoRoutes, ...issueRoutes];
