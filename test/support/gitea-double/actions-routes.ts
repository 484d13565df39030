import { z } from "zod";
import type { GiteaDouble } from "./index.ts";
import type { Answer, Call, Route } from "./routes.ts";
import type { ActionRunState, RepoState } from "./state.ts";

/**
 * Gitea's Actions API (1.24+; Forgejo has the same): runs of a repository, the jobs of a run and a
 * job's log, shaped as ActionWorkflowRun, ActionWorkflowJob and the log's plain text.
 */
const ok = (body: unknown): Answer => ({ status: 200, body });
const notFound = (): Answer => ({ status: 404, body: { message: "The target couldn't be found.", errors: [] } });
const Paging = { page: z.coerce.number().optional(), limit: z.coerce.number().optional() };

function repoOf(call: Call): RepoState {
  if (!call.repo) throw new Error("a repository route ran without its repository");
  return call.repo;
}

function runUrl(gt: GiteaDouble, repo: RepoState, run: ActionRunState): string {
  return `${gt.webUrl}/${repo.fullName}/actions/runs/${run.index}`;
}

function runJson(gt: GiteaDouble, repo: RepoState, run: ActionRunState): Record<string, unknown> {
  const failed = run.jobs.some((job) => job.conclusion === "failure");
  return {
    id: run.id,
    run_number: run.index,
    display_title: run.workflow,
    path: `${run.workflow}.yml@refs/heads/${run.branch}`,
    event: run.event,
    head_sha: run.sha,
    head_branch: run.branch,
    status: "completed",
    conclusion: failed ? "failure" : "success",
    run_attempt: 1,
    url: `${gt.apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`,
    html_url: runUrl(gt, repo, run),
    started_at: new Date().toISOString(),
    completed_at: new Date().toISOString(),
  };
}

export const ACTIONS_ROUTES: Route[] = [
  {
    method: "GET",
    path: "/repos/:owner/:repo/actions/runs",
    doc: "GET /repos/{owner}/{repo}/actions/runs (getWorkflowRuns)",
    query: z.strictObject({
      event: z.string().optional(),
      branch: z.string().optional(),
      status: z.string().optional(),
      actor: z.string().optional(),
      head_sha: z.string().optional(),
      exclude_pull_requests: z.string().optional(),
      ...Paging,
    }),
    need: "read",
    handle: (gt, call) => {
      const repo = repoOf(call);
      const runs = repo.runs.filter((run) => !call.query.head_sha || run.sha === call.query.head_sha);
      return ok({ workflow_runs: runs.map((run) => runJson(gt, repo, run)), total_count: runs.length });
    },
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/actions/runs/:run/jobs",
    doc: "GET /repos/{owner}/{repo}/actions/runs/{run}/jobs (listWorkflowRunJobs)",
    query: z.strictObject({
      status: z.string().optional(),
      sort: z.string().optional(),
      order: z.string().optional(),
      ...Paging,
    }),
    need: "read",
    handle: (gt, call) => {
      const repo = repoOf(call);
      const run = repo.runs.find((r) => r.id === Number(call.params.run));
      if (!run) return notFound();
      const jobs = run.jobs.map((job, index) => ({
        id: job.id,
        run_id: run.id,
        run_url: `${gt.apiUrl}/repos/${repo.fullName}/actions/runs/${run.id}`,
        html_url: `${runUrl(gt, repo, run)}/jobs/${index}`,
        name: job.name,
        head_sha: run.sha,
        head_branch: run.branch,
        status: "completed",
        conclusion: job.conclusion,
        labels: ["ubuntu-latest"],
        steps: [],
        runner_id: 1,
        runner_name: "runner-1",
        run_attempt: 1,
        url: `${gt.apiUrl}/repos/${repo.fullName}/actions/jobs/${job.id}`,
      }));
      return ok({ jobs, total_count: jobs.length });
    },
  },
  {
    method: "GET",
    path: "/repos/:owner/:repo/actions/jobs/:job_id/logs",
    doc: "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs (downloadActionsRunJobLogs)",
    need: "read",
    handle: (_gt, call) => {
      const job = repoOf(call)
        .runs.flatMap((run) => run.jobs)
        .find((j) => j.id === Number(call.params.job_id));
      return job ? { status: 200, body: job.log, text: true } : notFound();
    },
  },
];
