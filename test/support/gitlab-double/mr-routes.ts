import { z } from "zod";
import type { GitlabDouble } from "./index.ts";
import type { Answer, Call, Route } from "./routes.ts";
import { LEVEL, nextId, now, type MergeRequestState, type NoteState, type ProjectState } from "./state.ts";

/** Merge requests, their notes, emoji and discussions (docs.gitlab.com/api/merge_requests, /notes, /discussions). */

const Pagination = {
  page: z.coerce.number().optional(),
  per_page: z.coerce.number().optional(),
  pagination: z.literal("offset").optional(),
};
const NoteBody = z.strictObject({ body: z.string().min(1) });
const AwardBody = z.strictObject({ name: z.string().min(1) });
const Position = z.strictObject({
  base_sha: z.string(),
  start_sha: z.string(),
  head_sha: z.string(),
  position_type: z.enum(["text", "image", "file"]),
  new_path: z.string().optional(),
  old_path: z.string().optional(),
  new_line: z.coerce.number().optional(),
  old_line: z.coerce.number().optional(),
});

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const notFound = (what: string): Answer => ({ status: 404, body: { message: `404 ${what} Not Found` } });

function project(call: Call): ProjectState {
  if (!call.project) throw new Error("a project route ran without its project");
  return call.project;
}

function mrOf(call: Call): MergeRequestState | undefined {
  return project(call).mergeRequests.get(Number(call.params.merge_request_iid));
}

function noteable(mr: MergeRequestState) {
  return { type: "MergeRequest" as const, id: mr.id, iid: mr.iid };
}

function newNote(author: string, body: string, extra: Partial<NoteState> = {}): NoteState {
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

function withMr(handle: (gl: GitlabDouble, call: Call, mr: MergeRequestState) => Answer): Route["handle"] {
  return (gl, call) => {
    const mr = mrOf(call);
    return mr ? handle(gl, call, mr) : notFound("Merge Request");
  };
}

function discussionsOf(gl: GitlabDouble, mr: MergeRequestState) {
  const groups = new Map<string, NoteState[]>();
  for (const n of mr.notes) {
    const key = n.discussionId || `note-${n.id}`;
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  return [...groups.entries()].map(([id, notes]) => ({
    id,
    individual_note: notes.length === 1 && !notes[0]?.discussionId,
    notes: notes.map((n) => gl.objects.note(n, noteable(mr))),
  }));
}

/** A diff discussion: GitLab refuses a position outside the merge request's diff (400, "line_code"). */
function discussion(gl: GitlabDouble, call: Call, mr: MergeRequestState): Answer {
  const position = call.body.position === undefined ? null : Position.parse(call.body.position);
  if (position && (position.position_type !== "text" || !position.new_path || !position.new_line))
    return { status: 400, body: { message: "400 Bad request - position is invalid" } };
  if (
    position &&
    !gl
      .diffLines(project(call), mr)
      .get(position.new_path ?? "")
      ?.has(position.new_line ?? 0)
  )
    return {
      status: 400,
      body: { message: '400 Bad request - Note {:line_code=>["can\'t be blank", "must be a valid line code"]}' },
    };
  const discussionId = `d${nextId()}`;
  const created = newNote(call.actor, String(call.body.body), {
    discussionId,
    position: position
      ? {
          newPath: position.new_path ?? "",
          newLine: position.new_line ?? 0,
          baseSha: position.base_sha,
          startSha: position.start_sha,
          headSha: position.head_sha,
        }
      : null,
  });
  mr.notes.push(created);
  gl.noteHook(project(call), { mr }, created);
  return ok({ id: discussionId, individual_note: false, notes: [gl.objects.note(created, noteable(mr))] }, 201);
}

export const MR_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/projects/:id/merge_requests",
    doc: "docs.gitlab.com/api/merge_requests/#list-project-merge-requests",
    query: z.strictObject({
      source_branch: z.string().optional(),
      target_branch: z.string().optional(),
      state: z.enum(["opened", "closed", "locked", "merged", "all"]).optional(),
      ...Pagination,
    }),
    need: LEVEL.guest,
    handle: (gl, call) =>
      ok(
        [...project(call).mergeRequests.values()]
          .filter(
            (mr) =>
              (call.query.source_branch === undefined || mr.sourceBranch === call.query.source_branch) &&
              (call.query.state === undefined || call.query.state === "all" || mr.mrState === call.query.state),
          )
          .map((mr) => gl.objects.mergeRequest(project(call), mr)),
      ),
  },
  {
    method: "GET",
    path: "/projects/:id/merge_requests/:merge_request_iid",
    doc: "docs.gitlab.com/api/merge_requests/#retrieve-a-merge-request",
    need: LEVEL.guest,
    handle: withMr((gl, call, mr) => ok(gl.objects.mergeRequest(project(call), mr))),
  },
  {
    method: "POST",
    path: "/projects/:id/merge_requests",
    doc: "docs.gitlab.com/api/merge_requests/#create-mr",
    body: z.strictObject({
      source_branch: z.string(),
      target_branch: z.string(),
      title: z.string().min(1),
      description: z.string().max(1_048_576).optional(),
      remove_source_branch: z.boolean().optional(),
      squash: z.boolean().optional(),
      labels: z.string().optional(),
      assignee_id: z.number().optional(),
    }),
    need: LEVEL.developer,
    handle: (gl, call) => {
      const p = project(call);
      const body = call.body as { source_branch: string; target_branch: string; title: string; description?: string };
      const open = [...p.mergeRequests.values()].find(
        (mr) =>
          mr.mrState === "opened" && mr.sourceBranch === body.source_branch && mr.targetBranch === body.target_branch,
      );
      if (open)
        return {
          status: 409,
          body: { message: [`Another open merge request already exists for this source branch: !${open.iid}`] },
        };
      const mr = gl.createMergeRequest(p, {
        author: call.actor,
        title: body.title,
        description: body.description ?? "",
        source: body.source_branch,
        target: body.target_branch,
      });
      if (!mr)
        return { status: 400, body: { message: "400 Bad request - source_branch or target_branch does not exist" } };
      return ok(gl.objects.mergeRequest(p, mr), 201);
    },
  },
  {
    method: "PUT",
    path: "/projects/:id/merge_requests/:merge_request_iid",
    doc: "docs.gitlab.com/api/merge_requests/#update-mr",
    body: z.strictObject({
      title: z.string().optional(),
      description: z.string().optional(),
      state_event: z.enum(["close", "reopen"]).optional(),
      target_branch: z.string().optional(),
    }),
    need: LEVEL.developer,
    handle: withMr((gl, call, mr) => {
      if (typeof call.body.title === "string") mr.title = call.body.title;
      if (typeof call.body.description === "string") mr.description = call.body.description;
      return ok(gl.objects.mergeRequest(project(call), mr));
    }),
  },
  {
    method: "GET",
    path: "/projects/:id/merge_requests/:merge_request_iid/notes",
    doc: "docs.gitlab.com/api/notes/#list-all-merge-request-notes",
    query: z.strictObject({
      sort: z.enum(["asc", "desc"]).optional(),
      order_by: z.enum(["created_at", "updated_at"]).optional(),
      ...Pagination,
    }),
    need: LEVEL.guest,
    handle: withMr((gl, _call, mr) => ok([...mr.notes].reverse().map((n) => gl.objects.note(n, noteable(mr))))),
  },
  {
    method: "POST",
    path: "/projects/:id/merge_requests/:merge_request_iid/notes",
    doc: "docs.gitlab.com/api/notes/#create-new-merge-request-note",
    body: NoteBody,
    need: LEVEL.guest,
    handle: withMr((gl, call, mr) => {
      const created = newNote(call.actor, String(call.body.body));
      mr.notes.push(created);
      gl.noteHook(project(call), { mr }, created);
      return ok(gl.objects.note(created, noteable(mr)), 201);
    }),
  },
  {
    method: "POST",
    path: "/projects/:id/merge_requests/:merge_request_iid/award_emoji",
    doc: "docs.gitlab.com/api/emoji_reactions/#add-a-new-emoji-reaction",
    body: AwardBody,
    need: LEVEL.guest,
    handle: withMr((gl, call, mr) => {
      mr.awards.push({ name: String(call.body.name), user: call.actor });
      return ok(gl.objects.award(String(call.body.name), call.actor, { id: mr.id, type: "MergeRequest" }), 201);
    }),
  },
  {
    method: "POST",
    path: "/projects/:id/merge_requests/:merge_request_iid/notes/:note_id/award_emoji",
    doc: "docs.gitlab.com/api/emoji_reactions/#add-a-new-emoji-reaction-to-a-comment",
    body: AwardBody,
    need: LEVEL.guest,
    handle: withMr((gl, call, mr) => {
      const target = mr.notes.find((n) => n.id === Number(call.params.note_id));
      if (!target) return notFound("Note");
      target.awards.push({ name: String(call.body.name), user: call.actor });
      return ok(gl.objects.award(String(call.body.name), call.actor, { id: target.id, type: "Note" }), 201);
    }),
  },
  {
    method: "GET",
    path: "/projects/:id/merge_requests/:merge_request_iid/discussions",
    doc: "docs.gitlab.com/api/discussions/#list-project-merge-request-discussion-items",
    query: z.strictObject({ ...Pagination }),
    need: LEVEL.guest,
    handle: withMr((gl, _call, mr) => ok(discussionsOf(gl, mr))),
  },
  {
    method: "POST",
    path: "/projects/:id/merge_requests/:merge_request_iid/discussions",
    doc: "docs.gitlab.com/api/discussions/#create-a-new-thread-in-the-merge-request-diff",
    body: z.strictObject({
      body: z.string().min(1),
      position: z.record(z.string(), z.unknown()).optional(),
      commit_id: z.string().optional(),
      created_at: z.string().optional(),
    }),
    need: LEVEL.guest,
    handle: withMr(discussion),
  },
];
