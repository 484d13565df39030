import type { GtUserState, RepoState, StatusState, ThreadState } from "./state.ts";

type Json = Record<string, unknown>;

/**
 * Gitea's API objects as its reference documents them (the swagger at <instance>/api/swagger,
 * docs.gitea.com/api): User, Repository, Issue, Comment, PullRequest, PullReview, CommitStatus.
 */
export class GiteaObjects {
  private readonly labelIds = new Map<string, number>();

  constructor(
    readonly webUrl: string,
    private readonly userOf: (login: string) => GtUserState,
  ) {}

  user(login: string): Json {
    const user = this.userOf(login);
    return {
      id: user.id,
      login,
      login_name: "",
      full_name: "",
      email: `${login}@noreply.example.com`,
      avatar_url: `${this.webUrl}/avatars/${user.id}`,
      html_url: `${this.webUrl}/${login}`,
      is_admin: false,
      username: login,
    };
  }

  repo(repo: RepoState, permission: { admin: boolean; push: boolean; pull: boolean }): Json {
    return {
      id: repo.id,
      owner: this.user(repo.owner),
      name: repo.name,
      full_name: repo.fullName,
      private: true,
      fork: false,
      html_url: `${this.webUrl}/${repo.fullName}`,
      clone_url: `${this.webUrl}/${repo.fullName}.git`,
      ssh_url: `git@127.0.0.1:${repo.fullName}.git`,
      default_branch: repo.defaultBranch,
      permissions: permission,
      has_issues: true,
      has_pull_requests: true,
    };
  }

  /** A label (api.Label); ids are stable per repository and name. */
  label(repo: RepoState, name: string): Json {
    const key = `${repo.id}:${name}`;
    const id = this.labelIds.get(key) ?? this.labelIds.size + 1;
    this.labelIds.set(key, id);
    return {
      id,
      name,
      exclusive: false,
      is_archived: false,
      color: "e11d21",
      description: "",
      url: `${this.webUrl}/api/v1/repos/${repo.fullName}/labels/${id}`,
    };
  }

  url(repo: RepoState, thread: ThreadState): string {
    return `${this.webUrl}/${repo.fullName}/${thread.pull ? "pulls" : "issues"}/${thread.number}`;
  }

  issue(repo: RepoState, thread: ThreadState): Json {
    return {
      id: thread.id,
      url: `${this.webUrl}/api/v1/repos/${repo.fullName}/issues/${thread.number}`,
      html_url: this.url(repo, thread),
      number: thread.number,
      user: this.user(thread.user),
      title: thread.title,
      body: thread.body,
      labels: (thread.labels ?? []).map((name) => this.label(repo, name)),
      state: thread.state,
      comments: thread.comments.length,
      created_at: thread.createdAt,
      updated_at: thread.createdAt,
      pull_request: thread.pull
        ? { merged: thread.pull.merged, merged_at: null, draft: false, html_url: this.url(repo, thread) }
        : null,
      repository: { id: repo.id, name: repo.name, owner: repo.owner, full_name: repo.fullName },
    };
  }

  comment(repo: RepoState, thread: ThreadState, comment: ThreadState["comments"][number]): Json {
    return {
      id: comment.id,
      html_url: `${this.url(repo, thread)}#issuecomment-${comment.id}`,
      pull_request_url: thread.pull ? this.url(repo, thread) : "",
      issue_url: thread.pull ? "" : this.url(repo, thread),
      user: this.user(comment.user),
      body: comment.body,
      created_at: comment.createdAt,
      updated_at: comment.createdAt,
    };
  }

  pull(repo: RepoState, thread: ThreadState): Json {
    const pull = thread.pull;
    if (!pull) throw new Error(`#${thread.number} is not a pull request`);
    const branch = (ref: string, sha: string) => ({
      label: ref,
      ref,
      sha,
      repo_id: repo.id,
      repo: this.repo(repo, { admin: false, push: false, pull: true }),
    });
    return {
      id: thread.id,
      url: `${this.webUrl}/api/v1/repos/${repo.fullName}/pulls/${thread.number}`,
      number: thread.number,
      user: this.user(thread.user),
      title: thread.title,
      body: thread.body,
      state: thread.state,
      draft: /^\s*(wip:|\[wip\])/i.test(thread.title),
      html_url: this.url(repo, thread),
      diff_url: `${this.url(repo, thread)}.diff`,
      mergeable: true,
      merged: pull.merged,
      merged_at: null,
      merge_commit_sha: null,
      head: branch(pull.headRef, pull.headSha),
      base: branch(pull.baseRef, pull.baseSha),
      created_at: thread.createdAt,
      updated_at: thread.createdAt,
    };
  }

  status(repo: RepoState, status: StatusState): Json {
    return {
      id: status.id,
      status: status.state,
      state: status.state,
      target_url: status.targetUrl,
      description: status.description,
      url: `${this.webUrl}/api/v1/repos/${repo.fullName}/statuses/${status.sha}`,
      context: status.context,
      creator: this.user(status.creator),
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    };
  }
}
