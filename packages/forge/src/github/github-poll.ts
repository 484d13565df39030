import { z } from "zod";
import type { PollRequest } from "../forge-client.ts";
import type { ForgeEvent } from "../forge-model.ts";
import { ownerRepo, type GithubContext } from "./github-context.ts";
import {
  checkFromRun,
  checkFromStatus,
  GhCheckRun,
  GhComment,
  GhIssue,
  GhReviewComment,
  GhStatus,
  issueDescription,
  toComment,
  toReviewComment,
} from "./github-objects.ts";

const ListedStatus = GhStatus.omit({ sha: true }).extend({
  creator: z.object({ login: z.string() }).nullable().optional(),
});

/** Issue comments list both issues' and pull requests' conversations; the URL tells which. */
function threadOf(htmlUrl: string): { kind: "issue" | "change_request"; number: number } | null {
  const m = /\/(issues|pull)\/(\d+)(?:[#?]|$)/.exec(htmlUrl);
  return m ? { kind: m[1] === "pull" ? "change_request" : "issue", number: Number(m[2]) } : null;
}

async function comments(gh: GithubContext, request: PollRequest): Promise<ForgeEvent[]> {
  const target = { ...ownerRepo(request.repoPath), since: request.since.toISOString(), per_page: 100 };
  const [issueComments, reviewComments] = await Promise.all([
    gh.call("listing new comments", () => gh.octokit.paginate(gh.octokit.rest.issues.listCommentsForRepo, target)),
    gh.call("listing new review comments", () =>
      gh.octokit.paginate(gh.octokit.rest.pulls.listReviewCommentsForRepo, target),
    ),
  ]);
  const events: ForgeEvent[] = [];
  for (const raw of z.array(GhComment).parse(issueComments)) {
    const thread = threadOf(raw.html_url);
    if (thread && Date.parse(raw.created_at) >= request.since.getTime())
      events.push({ kind: "comment_created", repoPath: request.repoPath, thread, comment: toComment(raw) });
  }
  for (const raw of z.array(GhReviewComment.extend({ pull_request_url: z.string() })).parse(reviewComments)) {
    const number = Number(/\/pulls\/(\d+)$/.exec(raw.pull_request_url)?.[1]);
    if (number && Date.parse(raw.created_at) >= request.since.getTime())
      events.push({
        kind: "comment_created",
        repoPath: request.repoPath,
        thread: { kind: "change_request", number },
        comment: toReviewComment(raw),
      });
  }
  return events;
}

async function openedIssues(gh: GithubContext, request: PollRequest): Promise<ForgeEvent[]> {
  const items = await gh.call("listing new issues", () =>
    gh.octokit.paginate(gh.octokit.rest.issues.listForRepo, {
      ...ownerRepo(request.repoPath),
      since: request.since.toISOString(),
      state: "open",
      per_page: 100,
    }),
  );
  return z
    .array(GhIssue)
    .parse(items)
    .filter((issue) => !issue.pull_request && Date.parse(issue.created_at) >= request.since.getTime())
    .map((issue) => ({
      kind: "comment_created",
      repoPath: request.repoPath,
      thread: { kind: "issue", number: issue.number },
      comment: issueDescription(issue),
    }));
}

async function failedChecks(
  gh: GithubContext,
  request: PollRequest,
  head: PollRequest["heads"][number],
): Promise<ForgeEvent[]> {
  const target = { ...ownerRepo(request.repoPath), ref: head.commit };
  // Only apps create check runs, but a plain token reads them too (GitHub Actions' among them).
  const [runs, statuses] = await Promise.all([
    gh
      .call("listing check runs", () => gh.octokit.rest.checks.listForRef({ ...target, per_page: 100 }))
      .then((r) => r.data.check_runs),
    gh
      .call("listing commit statuses", () =>
        gh.octokit.rest.repos.listCommitStatusesForRef({ ...target, per_page: 100 }),
      )
      .then((r) => r.data),
  ]);
  const events: ForgeEvent[] = [];
  for (const run of z.array(GhCheckRun).parse(runs)) {
    const check = checkFromRun(run);
    if (run.status === "completed")
      events.push({
        kind: "check_completed",
        repoPath: request.repoPath,
        check: { ...check, changeRequests: [head.changeRequest] },
      });
  }
  for (const status of z.array(ListedStatus).parse(statuses)) {
    const check = checkFromStatus({ ...status, sha: head.commit }, status.creator?.login ?? "");
    if (status.state !== "pending")
      events.push({
        kind: "check_completed",
        repoPath: request.repoPath,
        check: { ...check, changeRequests: [head.changeRequest] },
      });
  }
  return events;
}

/** What webhooks would have said since `since`: new comments and issues, finished checks on watched heads. */
export async function poll(gh: GithubContext, request: PollRequest): Promise<ForgeEvent[]> {
  const [fromComments, fromIssues, ...fromChecks] = await Promise.all([
    comments(gh, request),
    openedIssues(gh, request),
    ...request.heads.map((head) => failedChecks(gh, request, head)),
  ]);
  return [...(fromIssues ?? []), ...(fromComments ?? []), ...fromChecks.flat()];
}
