import { isResponse, paged, repoFor } from "./rest-repos.ts";
import { nextId, now, type Actor, type RepoState, type Thread } from "./state.ts";
import { fail, type Handler, type RestRequest, type RestResponse, type World } from "./world.ts";

function threadFor(world: World, repo: RepoState, request: RestRequest): Thread | RestResponse {
  const number = Number(request.params.issue_number ?? request.params.pull_number);
  return repo.threads.get(number) ?? fail(404, "Not Found");
}

function since(request: RestRequest): number {
  const value = request.query.get("since");
  return value ? Date.parse(value) : 0;
}

/** The comment with this id anywhere in the repository (issue comments and review comments share no ids). */
function findComment(repo: RepoState, id: number): { thread: Thread; kind: "issue" | "review" } | null {
  for (const thread of repo.threads.values()) {
    if (thread.comments.some((c) => c.id === id)) return { thread, kind: "issue" };
    if (thread.pull?.reviewComments.some((c) => c.id === id)) return { thread, kind: "review" };
  }
  return null;
}

export function issueHandlers(world: World): Record<string, Handler> {
  const { state, render } = world;

  function addReaction(thread: Thread, actor: Actor, commentId: number, content: string): RestResponse {
    const user = state.loginOf(actor);
    const existing = thread.reactions.find(
      (r) => r.commentId === commentId && r.user === user && r.content === content,
    );
    if (existing) return { status: 200, body: render.reaction(existing) };
    const reaction = { id: nextId(), content, user, commentId };
    thread.reactions.push(reaction);
    return { status: 201, body: render.reaction(reaction) };
  }

  return {
    "issues/get": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = threadFor(world, repo, request);
      return isResponse(thread) ? thread : { status: 200, body: render.issue(repo, thread) };
    },

    "issues/list-comments": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = threadFor(world, repo, request);
      if (isResponse(thread)) return thread;
      const items = thread.comments
        .filter((c) => Date.parse(c.updatedAt) >= since(request))
        .map((c) => render.comment(repo, thread, c));
      return paged(world, request, `/repos/${repo.fullName}/issues/${thread.number}/comments`, items);
    },

    "issues/create-comment": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = threadFor(world, repo, request);
      if (isResponse(thread)) return thread;
      const at = now();
      const comment = {
        id: nextId(),
        body: String(request.body.body),
        user: state.loginOf(request.actor as Actor),
        createdAt: at,
        updatedAt: at,
      };
      thread.comments.push(comment);
      thread.updatedAt = at;
      world.emitLater(repo, {
        event: "issue_comment",
        action: "created",
        overrides: { issue: render.issue(repo, thread), comment: render.comment(repo, thread, comment) },
        sender: comment.user,
      });
      return {
        status: 201,
        body: render.comment(repo, thread, comment),
        headers: { location: `${render.apiUrl}/repos/${repo.fullName}/issues/comments/${comment.id}` },
      };
    },

    "issues/list-comments-for-repo": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const items = [...repo.threads.values()]
        .flatMap((thread) => thread.comments.map((comment) => ({ thread, comment })))
        .filter(({ comment }) => Date.parse(comment.updatedAt) >= since(request))
        .sort((a, b) => a.comment.id - b.comment.id)
        .map(({ thread, comment }) => render.comment(repo, thread, comment));
      return paged(world, request, `/repos/${repo.fullName}/issues/comments`, items);
    },

    "issues/list-for-repo": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const wanted = request.query.get("state") ?? "open";
      const items = [...repo.threads.values()]
        .filter((t) => wanted === "all" || t.state === wanted)
        .filter((t) => Date.parse(t.updatedAt) >= since(request))
        .sort((a, b) => b.number - a.number)
        .map((t) => render.issue(repo, t));
      return paged(world, request, `/repos/${repo.fullName}/issues`, items);
    },

    "reactions/create-for-issue": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = threadFor(world, repo, request);
      return isResponse(thread) ? thread : addReaction(thread, request.actor as Actor, 0, String(request.body.content));
    },

    "reactions/create-for-issue-comment": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const id = Number(request.params.comment_id);
      const found = findComment(repo, id);
      if (found?.kind !== "issue") return fail(404, "Not Found");
      return addReaction(found.thread, request.actor as Actor, id, String(request.body.content));
    },

    "reactions/create-for-pull-request-review-comment": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const id = Number(request.params.comment_id);
      const found = findComment(repo, id);
      if (found?.kind !== "review") return fail(404, "Not Found");
      return addReaction(found.thread, request.actor as Actor, id, String(request.body.content));
    },
  };
}
