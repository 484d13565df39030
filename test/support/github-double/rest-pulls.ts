import { isResponse, paged, repoFor } from "./rest-repos.ts";
import { nextId, now, type Actor, type RepoState, type ReviewComment, type Thread } from "./state.ts";
import { fail, type Handler, type RestRequest, type RestResponse, type World } from "./world.ts";

function pullFor(repo: RepoState, request: RestRequest): Thread | RestResponse {
  const thread = repo.threads.get(Number(request.params.pull_number));
  return thread?.pull ? thread : fail(404, "Not Found");
}

function invalid(message: string, field = "base"): RestResponse {
  return fail(422, "Validation Failed", { errors: [{ resource: "PullRequest", field, code: "invalid", message }] });
}

interface DraftComment {
  path: string;
  line?: number;
  side?: string;
  body: string;
  position?: number;
}

export function pullHandlers(world: World): Record<string, Handler> {
  const { state, render } = world;

  /** Opens a pull request as GitHub does: both branches must exist, one open pull request per head and base. */
  function openPull(repo: RepoState, request: RestRequest): RestResponse {
    const body = request.body as { title?: string; head: string; base: string; body?: string; draft?: boolean };
    const headRef = body.head.includes(":") ? body.head.slice(body.head.indexOf(":") + 1) : body.head;
    const headSha = world.branchSha(repo, headRef);
    const baseSha = world.branchSha(repo, body.base);
    if (!headSha) return invalid(`head ${body.head} does not exist`, "head");
    if (!baseSha) return invalid(`base ${body.base} does not exist`);
    const open = [...repo.threads.values()].find(
      (t) => t.state === "open" && t.pull?.headRef === headRef && t.pull.baseRef === body.base,
    );
    if (open) return invalid(`A pull request already exists for ${repo.owner}:${headRef}.`);
    const at = now();
    const thread: Thread = {
      number: repo.nextNumber++,
      title: body.title ?? headRef,
      body: body.body ?? "",
      user: state.loginOf(request.actor as Actor),
      state: "open",
      createdAt: at,
      updatedAt: at,
      comments: [],
      reactions: [],
      pull: {
        headRef,
        headSha,
        baseRef: body.base,
        baseSha,
        draft: body.draft ?? false,
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        reviews: [],
        reviewComments: [],
      },
    };
    repo.threads.set(thread.number, thread);
    world.git(repo, "update-ref", `refs/pull/${thread.number}/head`, headSha);
    world.hooks.sendLater(
      "pull_request",
      world.pullEvent(repo, { thread, action: "opened", sender: thread.user }),
      world.targets(repo, "pull_request"),
    );
    return { status: 201, body: render.pull(repo, thread) };
  }

  /** A review as GitHub stores it; inline comments must sit on lines the diff shows. */
  function review(repo: RepoState, thread: Thread, request: RestRequest): RestResponse {
    const pull = thread.pull;
    if (!pull) return fail(404, "Not Found");
    const body = request.body as { commit_id?: string; body?: string; event?: string; comments?: DraftComment[] };
    const commitId = body.commit_id ?? pull.headSha;
    const lines = world.diffLines(repo, thread);
    for (const draft of body.comments ?? []) {
      if (draft.line === undefined)
        return fail(422, "Unprocessable Entity", { errors: ["Cadre's double needs line, not position"] });
      if ((draft.side ?? "RIGHT") === "RIGHT" && !lines.get(draft.path)?.has(draft.line))
        return fail(422, "Unprocessable Entity", {
          errors: ["Pull request review thread line must be part of the diff"],
        });
    }
    const user = state.loginOf(request.actor as Actor);
    const states: Record<string, "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED"> = {
      COMMENT: "COMMENTED",
      APPROVE: "APPROVED",
      REQUEST_CHANGES: "CHANGES_REQUESTED",
    };
    const at = now();
    const stored = {
      id: nextId(),
      user,
      body: body.body ?? "",
      state: states[body.event ?? "COMMENT"] ?? "COMMENTED",
      commitId,
      submittedAt: at,
    };
    pull.reviews.push(stored);
    for (const draft of body.comments ?? []) {
      const comment: ReviewComment = {
        id: nextId(),
        body: draft.body,
        user,
        createdAt: at,
        updatedAt: at,
        path: draft.path,
        line: draft.line ?? 0,
        side: draft.side === "LEFT" ? "LEFT" : "RIGHT",
        commitId,
        reviewId: stored.id,
      };
      pull.reviewComments.push(comment);
    }
    world.emitLater(repo, {
      event: "pull_request_review",
      action: "submitted",
      overrides: { review: render.review(repo, thread, stored), pull_request: render.pull(repo, thread) },
      sender: user,
    });
    return { status: 200, body: render.review(repo, thread, stored) };
  }

  return {
    "pulls/create": (request) => {
      const repo = repoFor(world, request, "write");
      return isResponse(repo) ? repo : openPull(repo, request);
    },

    "pulls/get": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = pullFor(repo, request);
      return isResponse(thread) ? thread : { status: 200, body: render.pull(repo, thread) };
    },

    "pulls/update": (request) => {
      const repo = repoFor(world, request, "write");
      if (isResponse(repo)) return repo;
      const thread = pullFor(repo, request);
      if (isResponse(thread)) return thread;
      const body = request.body as { title?: string; body?: string; state?: "open" | "closed" };
      if (body.title !== undefined) thread.title = body.title;
      if (body.body !== undefined) thread.body = body.body;
      if (body.state !== undefined) thread.state = body.state;
      thread.updatedAt = now();
      world.emitLater(repo, {
        event: "pull_request",
        action: "edited",
        overrides: { number: thread.number, pull_request: render.pull(repo, thread) },
        sender: state.loginOf(request.actor as Actor),
      });
      return { status: 200, body: render.pull(repo, thread) };
    },

    "pulls/list": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const wanted = request.query.get("state") ?? "open";
      const head = request.query.get("head");
      const base = request.query.get("base");
      const items = [...repo.threads.values()]
        .filter((t) => t.pull && (wanted === "all" || t.state === wanted))
        .filter((t) => !head || `${repo.owner}:${t.pull?.headRef}` === head)
        .filter((t) => !base || t.pull?.baseRef === base)
        .sort((a, b) => b.number - a.number)
        .map((t) => render.pull(repo, t));
      return paged(world, request, `/repos/${repo.fullName}/pulls`, items);
    },

    "pulls/list-review-comments": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = pullFor(repo, request);
      if (isResponse(thread)) return thread;
      const items = (thread.pull?.reviewComments ?? []).map((c) => render.reviewComment(repo, thread, c));
      return paged(world, request, `/repos/${repo.fullName}/pulls/${thread.number}/comments`, items);
    },

    "pulls/list-review-comments-for-repo": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const after = Date.parse(request.query.get("since") ?? "1970-01-01T00:00:00Z");
      const items = [...repo.threads.values()]
        .flatMap((thread) => (thread.pull?.reviewComments ?? []).map((comment) => ({ thread, comment })))
        .filter(({ comment }) => Date.parse(comment.updatedAt) >= after)
        .sort((a, b) => a.comment.id - b.comment.id)
        .map(({ thread, comment }) => render.reviewComment(repo, thread, comment));
      return paged(world, request, `/repos/${repo.fullName}/pulls/comments`, items);
    },

    "pulls/create-review": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const thread = pullFor(repo, request);
      return isResponse(thread) ? thread : review(repo, thread, request);
    },
  };
}
