import { z } from "zod";
import type { GiteaDouble } from "./index.ts";
import type { Answer, Call, Route } from "./routes.ts";
import { nextId, now, type RepoState, type ThreadState } from "./state.ts";

/** Pull requests and their reviews (Gitea's swagger: repoListPullRequests … repoCreatePullReview). */

const ok = (body: unknown, status = 200): Answer => ({ status, body });
const notFound = (): Answer => ({ status: 404, body: { message: "The target couldn't be found.", errors: [] } });

function repoOf(call: Call): RepoState {
  if (!call.repo) throw new Error("a repository route ran without its repository");
  return call.repo;
}

function withPull(handle: (gt: GiteaDouble, call: Call, pull: ThreadState) => Answer): Route["handle"] {
  return (gt, call) => {
    const found = repoOf(call).threads.get(Number(call.params.index));
    return found?.pull ? handle(gt, call, found) : notFound();
  };
}

function review(
  gt: GiteaDouble,
  repo: RepoState,
  pull: ThreadState,
  reviewState: NonNullable<ThreadState["pull"]>["reviews"][number],
) {
  return {
    id: reviewState.id,
    user: gt.objects.user(reviewState.user),
    body: reviewState.body,
    commit_id: reviewState.commitId,
    state:
      reviewState.event === "APPROVED"
        ? "APPROVED"
        : reviewState.event === "REQUEST_CHANGES"
          ? "REQUEST_CHANGES"
          : "COMMENT",
    comments_count: reviewState.comments.length,
    html_url: `${gt.objects.url(repo, pull)}#issuecomment-${reviewState.id}`,
    pull_request_url: gt.objects.url(repo, pull),
    submitted_at: now(),
  };
}

const ReviewComment = z.strictObject({
  path: z.string(),
  body: z.string(),
  new_position: z.number().optional(),
  old_position: z.number().optional(),
});

export const PULL_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/repos/:owner/:repo/pulls",
    doc: "GET /repos/{owner}/{repo}/pulls (repoListPullRequests)",
    query: z.strictObject({
      state: z.enum(["open", "closed", "all"]).optional(),
      sort: z.string().optional(),
      milestone: z.coerce.number().optional(),
      labels: z.array(z.string()).optional(),
      page: z.coerce.number().optional(),
      limit: z.coerce.number().optional(),
    }),
    need: "read",
    handle: (gt, call) =>
      ok(
        [...repoOf(call).threads.values()]
          .filter(
            (t) =>
              t.pull && (call.query.state === undefined || call.query.state === "all" || t.state === call.query.state),
          )
          .map((t) => gt.objects.pull(repoOf(call), t)),
      ),
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/pulls/:index",
    doc: "GET /repos/{owner}/{repo}/pulls/{index} (repoGetPullRequest)",
    need: "read",
    handle: withPull((gt, call, pull) => ok(gt.objects.pull(repoOf(call), pull))),
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/pulls",
    doc: "POST /repos/{owner}/{repo}/pulls (repoCreatePullRequest, CreatePullRequestOption)",
    body: z.strictObject({
      head: z.string(),
      base: z.string(),
      title: z.string().min(1),
      body: z.string().optional(),
      assignee: z.string().optional(),
      assignees: z.array(z.string()).optional(),
      labels: z.array(z.number()).optional(),
      milestone: z.number().optional(),
      due_date: z.string().optional(),
      reviewers: z.array(z.string()).optional(),
    }),
    need: "write",
    handle: (gt, call) => {
      const body = call.body as { head: string; base: string; title: string; body?: string };
      const created = gt.openPull(repoOf(call), {
        user: call.actor,
        head: body.head,
        base: body.base,
        title: body.title,
        body: body.body ?? "",
      });
      return created
        ? ok(gt.objects.pull(repoOf(call), created), 201)
        : { status: 422, body: { message: "head or base branch does not exist" } };
    },
  },
  {
    method: "PATCH",
    path: "/repos/:owner/:repo/pulls/:index",
    doc: "PATCH /repos/{owner}/{repo}/pulls/{index} (repoEditPullRequest, EditPullRequestOption)",
    body: z.strictObject({
      title: z.string().optional(),
      body: z.string().optional(),
      state: z.enum(["open", "closed"]).optional(),
      base: z.string().optional(),
    }),
    need: "write",
    handle: withPull((gt, call, pull) => {
      if (typeof call.body.title === "string") pull.title = call.body.title;
      if (typeof call.body.body === "string") pull.body = call.body.body;
      return ok(gt.objects.pull(repoOf(call), pull), 201);
    }),
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/pulls/:index/reviews",
    doc: "GET /repos/{owner}/{repo}/pulls/{index}/reviews (repoListPullReviews)",
    query: z.strictObject({ page: z.coerce.number().optional(), limit: z.coerce.number().optional() }),
    need: "read",
    handle: withPull((gt, call, pull) => ok((pull.pull?.reviews ?? []).map((r) => review(gt, repoOf(call), pull, r)))),
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/pulls/:index/reviews/:id/comments",
    doc: "GET /repos/{owner}/{repo}/pulls/{index}/reviews/{id}/comments (repoGetPullReviewComments)",
    need: "read",
    handle: withPull((gt, call, pull) => {
      const found = pull.pull?.reviews.find((r) => r.id === Number(call.params.id));
      if (!found) return notFound();
      return ok(
        found.comments.map((c) => ({
          id: c.id,
          body: c.body,
          user: gt.objects.user(c.user),
          pull_request_review_id: found.id,
          path: c.path,
          commit_id: found.commitId,
          original_commit_id: found.commitId,
          diff_hunk: "",
          position: c.line,
          original_position: 0,
          html_url: `${gt.objects.url(repoOf(call), pull)}/files#issuecomment-${c.id}`,
          pull_request_url: gt.objects.url(repoOf(call), pull),
          created_at: now(),
          updated_at: now(),
        })),
      );
    }),
  },
  {
    method: "POST",
    path: "/repos/:owner/:repo/pulls/:index/reviews",
    doc: "POST /repos/{owner}/{repo}/pulls/{index}/reviews (repoCreatePullReview, CreatePullReviewOptions)",
    body: z.strictObject({
      body: z.string().optional(),
      commit_id: z.string().optional(),
      event: z.enum(["APPROVED", "PENDING", "COMMENT", "REQUEST_CHANGES"]).optional(),
      comments: z.array(ReviewComment).optional(),
    }),
    need: "read",
    handle: withPull((gt, call, pull) => {
      const lines = gt.diffLines(repoOf(call), pull);
      const comments = (call.body.comments as z.infer<typeof ReviewComment>[] | undefined) ?? [];
      if (comments.some((c) => !c.new_position || !lines.get(c.path)?.has(c.new_position)))
        return { status: 422, body: { message: "a comment's line is not in the pull request's diff" } };
      const created = {
        id: nextId(),
        user: call.actor,
        body: String(call.body.body ?? ""),
        event: String(call.body.event ?? "COMMENT"),
        commitId: String(call.body.commit_id ?? pull.pull?.headSha ?? ""),
        comments: comments.map((c) => ({
          id: nextId(),
          body: c.body,
          user: call.actor,
          path: c.path,
          line: c.new_position ?? 0,
        })),
      };
      pull.pull?.reviews.push(created);
      return ok(review(gt, repoOf(call), pull, created));
    }),
  },
];
