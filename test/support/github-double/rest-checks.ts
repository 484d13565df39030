import { isResponse, paged, repoFor } from "./rest-repos.ts";
import { nextId, now, type Actor, type CheckRun, type CommitStatus, type RepoState } from "./state.ts";
import { fail, type Handler, type RestRequest, type World } from "./world.ts";

interface CheckBody {
  name?: string;
  head_sha?: string;
  status?: CheckRun["status"];
  conclusion?: string;
  details_url?: string;
  started_at?: string;
  completed_at?: string;
  output?: { title?: string; summary?: string; text?: string };
}

/** Check runs the pull request's head or a ref shows (a sha, a branch or refs/pull/N/head). */
function refSha(world: World, repo: RepoState, ref: string): string | null {
  if (/^[0-9a-f]{40}$/.test(ref)) return ref;
  try {
    return world.git(repo, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`).trim() || null;
  } catch {
    return null;
  }
}

export function checkHandlers(world: World): Record<string, Handler> {
  const { state, render } = world;

  function applyCheck(run: CheckRun, body: CheckBody): void {
    if (body.name !== undefined) run.name = body.name;
    if (body.details_url !== undefined) run.detailsUrl = body.details_url;
    if (body.output) {
      run.title = body.output.title ?? run.title;
      run.summary = body.output.summary ?? run.summary;
      run.text = body.output.text ?? run.text;
    }
    if (body.conclusion !== undefined) {
      run.conclusion = body.conclusion;
      run.status = "completed";
    } else if (body.status !== undefined) run.status = body.status;
    if (run.status === "completed") run.completedAt = body.completed_at ?? now();
  }

  /** Check runs are GitHub Apps' alone: a personal token is refused as GitHub refuses it. */
  function appOnly(request: RestRequest) {
    return request.actor?.kind === "installation" ? null : fail(403, "You must authenticate via a GitHub App.");
  }

  function emitCheck(repo: RepoState, run: CheckRun, action: string, sender: string): void {
    world.emitLater(repo, {
      event: "check_run",
      action,
      overrides: { check_run: { ...render.checkRun(repo, run), pull_requests: world.pullsAt(repo, run.headSha) } },
      sender,
    });
  }

  return {
    "checks/create": (request) => {
      const repo = repoFor(world, request, "write");
      if (isResponse(repo)) return repo;
      const refused = appOnly(request);
      if (refused) return refused;
      const body = request.body as CheckBody;
      const run: CheckRun = {
        id: nextId(),
        name: String(body.name),
        headSha: String(body.head_sha),
        status: "queued",
        conclusion: null,
        title: null,
        summary: null,
        text: null,
        app: state.app?.slug ?? "app",
        detailsUrl: null,
        startedAt: body.started_at ?? now(),
        completedAt: null,
        log: null,
      };
      applyCheck(run, body);
      repo.checkRuns.push(run);
      emitCheck(repo, run, run.status === "completed" ? "completed" : "created", state.loginOf(request.actor as Actor));
      return { status: 201, body: render.checkRun(repo, run) };
    },

    "checks/update": (request) => {
      const repo = repoFor(world, request, "write");
      if (isResponse(repo)) return repo;
      const refused = appOnly(request);
      if (refused) return refused;
      const run = repo.checkRuns.find((r) => r.id === Number(request.params.check_run_id));
      if (!run) return fail(404, "Not Found");
      const wasCompleted = run.status === "completed";
      applyCheck(run, request.body as CheckBody);
      if (!wasCompleted && run.status === "completed")
        emitCheck(repo, run, "completed", state.loginOf(request.actor as Actor));
      return { status: 200, body: render.checkRun(repo, run) };
    },

    "checks/get": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const run = repo.checkRuns.find((r) => r.id === Number(request.params.check_run_id));
      return run ? { status: 200, body: render.checkRun(repo, run) } : fail(404, "Not Found");
    },

    "checks/list-for-ref": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const sha = refSha(world, repo, request.params.ref ?? "");
      const runs = repo.checkRuns.filter(
        (r) => r.headSha === sha && (!request.query.get("check_name") || r.name === request.query.get("check_name")),
      );
      return { status: 200, body: { total_count: runs.length, check_runs: runs.map((r) => render.checkRun(repo, r)) } };
    },

    "repos/create-commit-status": (request) => {
      const repo = repoFor(world, request, "write");
      if (isResponse(repo)) return repo;
      const body = request.body as {
        state: CommitStatus["state"];
        context?: string;
        description?: string;
        target_url?: string;
      };
      const status: CommitStatus = {
        id: nextId(),
        sha: request.params.sha ?? "",
        state: body.state,
        context: body.context ?? "default",
        description: body.description ?? null,
        targetUrl: body.target_url ?? null,
        creator: state.loginOf(request.actor as Actor),
        createdAt: now(),
      };
      repo.statuses.push(status);
      world.emitLater(repo, { event: "status", overrides: world.statusPayload(repo, status), sender: status.creator });
      return { status: 201, body: render.status(repo, status) };
    },

    "repos/list-commit-statuses-for-ref": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const sha = refSha(world, repo, request.params.ref ?? "");
      const items = repo.statuses
        .filter((s) => s.sha === sha)
        .reverse()
        .map((s) => render.status(repo, s));
      return paged(world, request, `/repos/${repo.fullName}/commits/${request.params.ref}/statuses`, items);
    },

    "actions/download-job-logs-for-workflow-run": (request) => {
      const repo = repoFor(world, request);
      if (isResponse(repo)) return repo;
      const run = repo.checkRuns.find((r) => r.id === Number(request.params.job_id));
      if (!run?.log) return fail(404, "Not Found");
      // GitHub answers with a redirect to a short-lived signed URL on another host.
      return {
        status: 302,
        headers: { location: `${render.webUrl}/_double/logs/${repo.fullName}/${run.id}?sig=${nextId()}` },
      };
    },
  };
}
