import { z } from "zod";
import type { GitlabDouble } from "./index.ts";
import { LEVEL, nextId, now, type NoteState, type ProjectState } from "./state.ts";

/**
 * The REST calls the double answers, each as GitLab's API reference describes it (the page is
 * named on each route): method, path, the query and body fields it documents (anything else is
 * refused), who may call it, and an answer shaped like the documented object.
 */
export interface Answer {
  status: number;
  body: unknown;
  text?: string;
}

export interface Call {
  actor: string;
  project: ProjectState | null;
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface Route {
  method: "GET" | "POST" | "PUT";
  path: string;
  doc: string;
  query?: z.ZodObject;
  body?: z.ZodObject;
  /** The access level the token's user needs on the project (routes under /projects/:id). */
  need?: number;
  handle(gl: GitlabDouble, call: Call): Answer | Promise<Answer>;
}

const Pagination = {
  page: z.coerce.number().optional(),
  per_page: z.coerce.number().optional(),
  pagination: z.literal("offset").optional(),
};
const NoteBody = z.strictObject({ body: z.string().min(1) });
const AwardBody = z.strictObject({ name: z.string().min(1) });
const Bool = z.union([z.boolean(), z.enum(["true", "false"])]);

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const notFound = (what: string): Answer => ({ status: 404, body: { message: `404 ${what} Not Found` } });

function project(call: Call): ProjectState {
  if (!call.project) throw new Error("a project route ran without its project");
  return call.project;
}

function issueOf(call: Call) {
  return project(call).issues.get(Number(call.params.issue_iid));
}

function note(author: string, body: string, extra: Partial<NoteState> = {}): NoteState {
  return {
    id: nextId(),
    body,
    author,
    createdAt: now(),
    system: false,
    discussionId: "",
    position: null,
    awards: [],
    ...extra,
  };
}

const userRoutes: Route[] = [
  {
    method: "GET",
    path: "/user",
    doc: "docs.gitlab.com/api/users/#retrieve-the-current-user",
    handle: (gl, call) => ok(gl.objects.user(call.actor)),
  },
  {
    method: "GET",
    path: "/users",
    doc: "docs.gitlab.com/api/users/#list-users (username filter)",
    query: z.strictObject({ username: z.string(), ...Pagination }),
    handle: (gl, call) => {
      const username = String(call.query.username);
      return ok(gl.users.has(username) ? [gl.objects.user(username)] : []);
    },
  },
];

const projectRoutes: Route[] = [
  {
    method: "GET",
    path: "/projects/:id",
    doc: "docs.gitlab.com/api/projects/#retrieve-a-project",
    need: LEVEL.guest,
    handle: (gl, call) => ok(gl.objects.project(project(call), gl.levelOf(call.actor, project(call)))),
  },
  {
    method: "GET",
    path: "/projects/:id/members/all/:user_id",
    doc: "docs.gitlab.com/api/members/#retrieve-a-member-of-a-group-or-project-including-inherited-and-invited-members",
    need: LEVEL.guest,
    handle: (gl, call) => {
      const user = [...gl.users.values()].find((u) => u.id === Number(call.params.user_id));
      const level = user ? (project(call).members.get(user.username) ?? 0) : 0;
      if (!user || level === 0) return notFound("Member");
      return ok({ ...gl.objects.user(user.username), access_level: level, created_at: now(), expires_at: null });
    },
  },
  {
    method: "GET",
    path: "/projects/:id/hooks",
    doc: "docs.gitlab.com/api/project_webhooks/#list-webhooks-for-a-project",
    query: z.strictObject({ ...Pagination }),
    need: LEVEL.maintainer,
    handle: (_gl, call) =>
      ok(project(call).hooks.map((h) => ({ id: h.id, url: h.url, project_id: project(call).id, ...h.events }))),
  },
  {
    method: "POST",
    path: "/projects/:id/hooks",
    doc: "docs.gitlab.com/api/project_webhooks/#add-a-webhook-to-a-project",
    body: z.strictObject({
      url: z.string().url(),
      token: z.string().optional(),
      push_events: Bool.optional(),
      issues_events: Bool.optional(),
      note_events: Bool.optional(),
      merge_requests_events: Bool.optional(),
      pipeline_events: Bool.optional(),
      job_events: Bool.optional(),
      enable_ssl_verification: Bool.optional(),
    }),
    need: LEVEL.maintainer,
    handle: (gl, call) => {
      const { url, token, ...events } = call.body as { url: string; token?: string } & Record<string, boolean>;
      const hook = gl.addHook(project(call), url, token ?? "", events);
      return ok({ id: hook.id, url, project_id: project(call).id, ...hook.events }, 201);
    },
  },
  {
    method: "POST",
    path: "/projects/:id/statuses/:sha",
    doc: "docs.gitlab.com/api/commits/#set-the-pipeline-status-of-a-commit",
    body: z.strictObject({
      state: z.enum(["pending", "running", "success", "failed", "canceled", "skipped"]),
      ref: z.string().optional(),
      name: z.string().optional(),
      context: z.string().optional(),
      target_url: z.string().optional(),
      description: z.string().max(255).optional(),
      coverage: z.number().optional(),
      pipeline_id: z.number().optional(),
    }),
    need: LEVEL.developer,
    handle: (gl, call) => {
      const p = project(call);
      const sha = String(call.params.sha);
      if (!gl.commitExists(p, sha)) return notFound("References for commit");
      const name = String(call.body.name ?? call.body.context ?? "default");
      const status = {
        id: nextId(),
        sha,
        name,
        state: String(call.body.state),
        description: (call.body.description as string | undefined) ?? null,
        targetUrl: (call.body.target_url as string | undefined) ?? null,
        author: call.actor,
      };
      p.statuses.push(status);
      return ok(
        {
          id: status.id,
          sha,
          ref: null,
          status: status.state,
          name,
          target_url: status.targetUrl,
          description: status.description,
          created_at: now(),
          started_at: null,
          finished_at: null,
          allow_failure: false,
          coverage: null,
          author: gl.objects.user(call.actor),
        },
        201,
      );
    },
  },
  {
    method: "GET",
    path: "/projects/:id/pipelines/:pipeline_id/jobs",
    doc: "docs.gitlab.com/api/jobs/#list-pipeline-jobs",
    query: z.strictObject({ scope: z.union([z.string(), z.array(z.string())]).optional(), ...Pagination }),
    need: LEVEL.reporter,
    handle: (_gl, call) => {
      const pipeline = project(call).pipelines.find((p) => p.id === Number(call.params.pipeline_id));
      if (!pipeline) return notFound("Pipeline");
      const scopes = [call.query.scope ?? []].flat().map(String);
      return ok(
        pipeline.jobs
          .filter((j) => scopes.length === 0 || scopes.includes(j.status))
          .map((j) => ({
            id: j.id,
            name: j.name,
            stage: j.stage,
            status: j.status,
            ref: pipeline.ref,
            pipeline: { id: pipeline.id, sha: pipeline.sha, status: pipeline.status },
          })),
      );
    },
  },
  {
    method: "GET",
    path: "/projects/:id/jobs/:job_id/trace",
    doc: "docs.gitlab.com/api/jobs/#retrieve-a-log-file",
    need: LEVEL.reporter,
    handle: (_gl, call) => {
      const job = project(call)
        .pipelines.flatMap((p) => p.jobs)
        .find((j) => j.id === Number(call.params.job_id));
      return job ? { status: 200, body: null, text: job.trace } : notFound("Job");
    },
  },
];

function issueRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/projects/:id/issues/:issue_iid",
      doc: "docs.gitlab.com/api/issues/#retrieve-a-project-issue",
      need: LEVEL.guest,
      handle: (gl, call) => {
        const issue = issueOf(call);
        return issue ? ok(gl.objects.issue(project(call), issue)) : notFound("Issue");
      },
    },
    {
      method: "GET",
      path: "/projects/:id/issues/:issue_iid/notes",
      doc: "docs.gitlab.com/api/notes/#list-project-issue-notes",
      query: z.strictObject({
        sort: z.enum(["asc", "desc"]).optional(),
        order_by: z.enum(["created_at", "updated_at"]).optional(),
        ...Pagination,
      }),
      need: LEVEL.guest,
      handle: (gl, call) => {
        const issue = issueOf(call);
        if (!issue) return notFound("Issue");
        return ok(
          [...issue.notes].reverse().map((n) => gl.objects.note(n, { type: "Issue", id: issue.id, iid: issue.iid })),
        );
      },
    },
    {
      method: "POST",
      path: "/projects/:id/issues/:issue_iid/notes",
      doc: "docs.gitlab.com/api/notes/#create-new-issue-note",
      body: NoteBody,
      need: LEVEL.guest,
      handle: (gl, call) => {
        const issue = issueOf(call);
        if (!issue) return notFound("Issue");
        const created = note(call.actor, String(call.body.body));
        issue.notes.push(created);
        gl.noteHook(project(call), { issue }, created);
        return ok(gl.objects.note(created, { type: "Issue", id: issue.id, iid: issue.iid }), 201);
      },
    },
    {
      method: "POST",
      path: "/projects/:id/issues/:issue_iid/award_emoji",
      doc: "docs.gitlab.com/api/emoji_reactions/#add-a-new-emoji-reaction",
      body: AwardBody,
      need: LEVEL.guest,
      handle: (gl, call) => {
        const issue = issueOf(call);
        if (!issue) return notFound("Issue");
        issue.awards.push({ name: String(call.body.name), user: call.actor });
        return ok(gl.objects.award(String(call.body.name), call.actor, { id: issue.id, type: "Issue" }), 201);
      },
    },
    {
      method: "POST",
      path: "/projects/:id/issues/:issue_iid/notes/:note_id/award_emoji",
      doc: "docs.gitlab.com/api/emoji_reactions/#add-a-new-emoji-reaction-to-a-comment",
      body: AwardBody,
      need: LEVEL.guest,
      handle: (gl, call) => {
        const target = issueOf(call)?.notes.find((n) => n.id === Number(call.params.note_id));
        if (!target) return notFound("Note");
        target.awards.push({ name: String(call.body.name), user: call.actor });
        return ok(gl.objects.award(String(call.body.name), call.actor, { id: target.id, type: "Note" }), 201);
      },
    },
  ];
}

export const ROUTES: Route[] = [...userRoutes, ...projectRoutes, ...issueRoutes()];
