import type { OpenApiCheck } from "./openapi-check.ts";
import type {
  CheckRun,
  CommitStatus,
  DoubleState,
  Hook,
  Reaction,
  RepoState,
  Review,
  ReviewComment,
  Thread,
  Comment,
} from "./state.ts";

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `overrides` laid over `template`, object by object (arrays and scalars replace). */
export function deepMerge(template: unknown, overrides: Json): Json {
  const out: Json = isObject(template) ? { ...template } : {};
  for (const [key, value] of Object.entries(overrides)) {
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key], value) : value;
  }
  return out;
}

/**
 * Renders the double's state as GitHub's JSON objects, starting from the examples in GitHub's own
 * description (or its example webhook payloads) and replacing what identifies the object.
 */
export class Renderer {
  constructor(
    private readonly check: OpenApiCheck,
    private readonly state: DoubleState,
    readonly webUrl: string,
    readonly apiUrl: string,
  ) {}

  /** An example with GitHub's hosts replaced by the double's. */
  template(name: string): Json {
    const text = JSON.stringify(this.check.example(name))
      .replaceAll("https://api.github.com", this.apiUrl)
      .replaceAll("https://github.com", this.webUrl);
    return JSON.parse(text) as Json;
  }

  /** Replaces GitHub's hosts in any template (webhook examples use real URLs too). */
  localize(value: unknown): Json {
    const text = JSON.stringify(value)
      .replaceAll("https://api.github.com", this.apiUrl)
      .replaceAll("https://github.com", this.webUrl);
    return JSON.parse(text) as Json;
  }

  user(login: string): Json {
    const user = this.state.user(login);
    return deepMerge(this.template("simple-user"), {
      login,
      id: user.id,
      node_id: `U_${user.id}`,
      type: user.type,
      url: `${this.apiUrl}/users/${encodeURIComponent(login)}`,
      html_url: `${this.webUrl}/${encodeURIComponent(login)}`,
    });
  }

  repository(repo: RepoState, actorPermission?: { admin: boolean; push: boolean; pull: boolean }): Json {
    return deepMerge(this.template("full-repository"), {
      id: repo.id,
      node_id: `R_${repo.id}`,
      name: repo.name,
      full_name: repo.fullName,
      owner: this.user(repo.owner),
      private: true,
      visibility: "private",
      fork: repo.forkOf !== undefined,
      html_url: `${this.webUrl}/${repo.fullName}`,
      url: `${this.apiUrl}/repos/${repo.fullName}`,
      clone_url: `${this.webUrl}/${repo.fullName}.git`,
      git_url: `${this.webUrl}/${repo.fullName}.git`,
      default_branch: repo.defaultBranch,
      has_discussions: false,
      permissions: actorPermission ?? { admin: false, maintain: false, push: false, triage: false, pull: true },
      parent: undefined,
      source: undefined,
      organization: undefined,
      template_repository: null,
    });
  }

  private threadUrls(repo: RepoState, thread: Thread): Json {
    const kind = thread.pull ? "pull" : "issues";
    return {
      url: `${this.apiUrl}/repos/${repo.fullName}/issues/${thread.number}`,
      repository_url: `${this.apiUrl}/repos/${repo.fullName}`,
      comments_url: `${this.apiUrl}/repos/${repo.fullName}/issues/${thread.number}/comments`,
      html_url: `${this.webUrl}/${repo.fullName}/${kind}/${thread.number}`,
    };
  }

  issue(repo: RepoState, thread: Thread): Json {
    return deepMerge(this.template("issue"), {
      ...this.threadUrls(repo, thread),
      id: thread.number * 1000 + repo.id,
      node_id: `I_${repo.id}_${thread.number}`,
      number: thread.number,
      title: thread.title,
      body: thread.body,
      user: this.user(thread.user),
      state: thread.state,
      labels: [],
      assignee: null,
      assignees: [],
      milestone: null,
      comments: thread.comments.length,
      closed_at: null,
      closed_by: null,
      created_at: thread.createdAt,
      updated_at: thread.updatedAt,
      pull_request: thread.pull
        ? {
            url: `${this.apiUrl}/repos/${repo.fullName}/pulls/${thread.number}`,
            html_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}`,
            diff_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}.diff`,
            patch_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}.patch`,
            merged_at: thread.pull.mergedAt,
          }
        : undefined,
      author_association: "COLLABORATOR",
    });
  }

  comment(repo: RepoState, thread: Thread, comment: Comment): Json {
    const kind = thread.pull ? "pull" : "issues";
    return deepMerge(this.template("issue-comment"), {
      id: comment.id,
      node_id: `IC_${comment.id}`,
      url: `${this.apiUrl}/repos/${repo.fullName}/issues/comments/${comment.id}`,
      html_url: `${this.webUrl}/${repo.fullName}/${kind}/${thread.number}#issuecomment-${comment.id}`,
      issue_url: `${this.apiUrl}/repos/${repo.fullName}/issues/${thread.number}`,
      body: comment.body,
      user: this.user(comment.user),
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
    });
  }

  reaction(reaction: Reaction): Json {
    return deepMerge(this.template("reaction"), {
      id: reaction.id,
      node_id: `REA_${reaction.id}`,
      user: this.user(reaction.user),
      content: reaction.content,
    });
  }

  private branchRef(repo: RepoState, ref: string, sha: string): Json {
    return {
      label: `${repo.owner}:${ref}`,
      ref,
      sha,
      user: this.user(repo.owner),
      repo: this.repository(repo),
    };
  }

  pull(repo: RepoState, thread: Thread): Json {
    const pull = thread.pull;
    if (!pull) throw new Error(`#${thread.number} is not a pull request`);
    const api = `${this.apiUrl}/repos/${repo.fullName}`;
    return deepMerge(this.template("pull-request"), {
      url: `${api}/pulls/${thread.number}`,
      id: thread.number * 1000 + repo.id,
      node_id: `PR_${repo.id}_${thread.number}`,
      html_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}`,
      diff_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}.diff`,
      patch_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}.patch`,
      issue_url: `${api}/issues/${thread.number}`,
      commits_url: `${api}/pulls/${thread.number}/commits`,
      review_comments_url: `${api}/pulls/${thread.number}/comments`,
      comments_url: `${api}/issues/${thread.number}/comments`,
      statuses_url: `${api}/statuses/${pull.headSha}`,
      number: thread.number,
      state: thread.state,
      title: thread.title,
      body: thread.body,
      user: this.user(thread.user),
      labels: [],
      milestone: null,
      assignee: null,
      assignees: [],
      requested_reviewers: [],
      requested_teams: [],
      created_at: thread.createdAt,
      updated_at: thread.updatedAt,
      closed_at: thread.state === "closed" ? thread.updatedAt : null,
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      head: this.branchRef(pull.headRepo ? this.state.repo(pull.headRepo) : repo, pull.headRef, pull.headSha),
      base: this.branchRef(repo, pull.baseRef, pull.baseSha),
      draft: pull.draft,
      merged: pull.merged,
      merged_by: null,
      comments: thread.comments.length,
      review_comments: pull.reviewComments.length,
      auto_merge: null,
    });
  }

  review(repo: RepoState, thread: Thread, review: Review): Json {
    return deepMerge(this.template("pull-request-review"), {
      id: review.id,
      node_id: `PRR_${review.id}`,
      user: this.user(review.user),
      body: review.body,
      state: review.state,
      html_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}#pullrequestreview-${review.id}`,
      pull_request_url: `${this.apiUrl}/repos/${repo.fullName}/pulls/${thread.number}`,
      submitted_at: review.submittedAt,
      commit_id: review.commitId,
    });
  }

  reviewComment(repo: RepoState, thread: Thread, comment: ReviewComment): Json {
    return deepMerge(this.template("pull-request-review-comment"), {
      url: `${this.apiUrl}/repos/${repo.fullName}/pulls/comments/${comment.id}`,
      id: comment.id,
      node_id: `PRRC_${comment.id}`,
      pull_request_review_id: comment.reviewId,
      path: comment.path,
      line: comment.line,
      original_line: comment.line,
      side: comment.side,
      start_line: null,
      original_start_line: null,
      start_side: null,
      commit_id: comment.commitId,
      original_commit_id: comment.commitId,
      in_reply_to_id: undefined,
      user: this.user(comment.user),
      body: comment.body,
      created_at: comment.createdAt,
      updated_at: comment.updatedAt,
      html_url: `${this.webUrl}/${repo.fullName}/pull/${thread.number}#discussion_r${comment.id}`,
      pull_request_url: `${this.apiUrl}/repos/${repo.fullName}/pulls/${thread.number}`,
    });
  }

  checkRun(repo: RepoState, run: CheckRun): Json {
    const app = this.state.app;
    return deepMerge(this.template("check-run"), {
      id: run.id,
      node_id: `CR_${run.id}`,
      head_sha: run.headSha,
      external_id: "",
      url: `${this.apiUrl}/repos/${repo.fullName}/check-runs/${run.id}`,
      html_url: `${this.webUrl}/${repo.fullName}/runs/${run.id}`,
      details_url: run.detailsUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: {
        title: run.title,
        summary: run.summary,
        text: run.text,
        annotations_count: 0,
        annotations_url: `${this.apiUrl}/repos/${repo.fullName}/check-runs/${run.id}/annotations`,
      },
      name: run.name,
      app: { id: app?.id ?? 1, slug: run.app, name: run.app },
      pull_requests: [],
    });
  }

  status(repo: RepoState, status: CommitStatus): Json {
    return deepMerge(this.template("status"), {
      url: `${this.apiUrl}/repos/${repo.fullName}/statuses/${status.sha}`,
      id: status.id,
      node_id: `ST_${status.id}`,
      state: status.state,
      description: status.description,
      target_url: status.targetUrl,
      context: status.context,
      created_at: status.createdAt,
      updated_at: status.createdAt,
      creator: this.user(status.creator),
    });
  }

  hook(repo: RepoState, hook: Hook): Json {
    const url = `${this.apiUrl}/repos/${repo.fullName}/hooks/${hook.id}`;
    return deepMerge(this.template("hook"), {
      id: hook.id,
      active: hook.active,
      events: hook.events,
      config: { content_type: "json", insecure_ssl: "0", url: hook.url },
      created_at: hook.createdAt,
      updated_at: hook.createdAt,
      url,
      test_url: `${url}/test`,
      ping_url: `${url}/pings`,
      deliveries_url: `${url}/deliveries`,
    });
  }
}
