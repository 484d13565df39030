import { z } from "zod";
import type { CheckResult } from "../forge-model.ts";
import { ForgeError } from "../forge-error.ts";
import { logTail } from "../log-tail.ts";
import type { GiteaApi } from "./gitea-api.ts";

/** ActionWorkflowRun and ActionWorkflowJob (Gitea 1.24+ and Forgejo's actions API): the fields Cadre reads. */
const Runs = z.object({
  workflow_runs: z.array(z.object({ id: z.number(), html_url: z.string(), head_sha: z.string() })).nullable(),
});
const Jobs = z.object({
  jobs: z
    .array(z.object({ id: z.number(), name: z.string(), html_url: z.string(), conclusion: z.string().nullish() }))
    .nullable(),
});

/** Gitea Actions name a job's status "<workflow> / <job> (<event>)". */
function jobName(context: string): string | null {
  return /^.+? \/ (.+) \([^()]+\)$/.exec(context)?.[1] ?? null;
}

type Job = NonNullable<z.infer<typeof Jobs>["jobs"]>[number];

/** The job a failed status reports: the one its target URL links to, else the failed job of its name. */
function pick(jobs: Job[], check: CheckResult): Job | undefined {
  const name = jobName(check.name);
  return (
    jobs.find((job) => check.url !== null && job.html_url === check.url) ??
    jobs.find((job) => job.name === name && job.conclusion === "failure")
  );
}

/**
 * The end of the log of the Gitea (or Forgejo) Actions job a failed commit status reports: the
 * runs on its commit, their jobs, then the job's log. Null where the instance has no actions API
 * (before Gitea 1.24), the status is not an Actions job, or the token may not read it.
 */
export async function actionsLog(api: GiteaApi, repoPath: string, check: CheckResult): Promise<string | null> {
  if (check.source !== "status" || !jobName(check.name)) return null;
  const base = api.repo(repoPath);
  try {
    const runs =
      Runs.parse(
        await api.get(
          `listing the Actions runs on ${check.commit.slice(0, 12)}`,
          `${base}/actions/runs?head_sha=${encodeURIComponent(check.commit)}`,
        ),
      ).workflow_runs ?? [];
    const linked = runs.filter((run) => check.url?.startsWith(`${run.html_url}/`));
    for (const run of linked.length ? linked : runs.filter((r) => r.head_sha === check.commit)) {
      const jobs =
        Jobs.parse(await api.get(`listing the jobs of Actions run ${run.id}`, `${base}/actions/runs/${run.id}/jobs`))
          .jobs ?? [];
      const job = pick(jobs, check);
      if (!job) continue;
      const log = await api.get(`reading the log of job ${job.name}`, `${base}/actions/jobs/${job.id}/logs`);
      return typeof log === "string" && log.trim() !== "" ? logTail(log) : null;
    }
    return null;
  } catch (error) {
    if (error instanceof ForgeError && (error.problem === "not_found" || error.problem === "permission")) return null;
    throw error;
  }
}
