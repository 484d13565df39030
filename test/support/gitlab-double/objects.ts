import type { GlUserState, IssueState, MergeRequestState, NoteState, ProjectState } from "./state.ts";

type Json = Record<string, unknown>;

/**
 * GitLab's REST objects as its API reference shows them (docs.gitlab.com/api/users, /projects,
 * /issues, /merge_requests, /notes, /discussions, /commits, /jobs): the documented fields, real shapes.
 */
export class GitlabObjects {
  constructor(
    readonly webUrl: string,
    private readonly userOf: (username: string) => GlUserState,
  ) {}

  user(username: string): Json {
    const user = this.userOf(username);
    return {
      id: user.id,
      username: user.username,
      name: user.username,
      state: "active",
      locked: false,
      avatar_url: `${this.webUrl}/uploads/-/system/user/avatar/${user.id}/avatar.png`,
      web_url: `${this.webUrl}/${user.username}`,
      bot: user.bot,
    };
  }

  project(project: ProjectState, accessLevel: number): Json {
    const name = project.path.split("/").at(-1) ?? project.path;
    const namespace = project.path.split("/").slice(0, -1).join("/");
    return {
      id: project.id,
      name,
      path: name,
      name_with_namespace: project.path.replace(/\//g, " / "),
      path_with_namespace: project.path,
      default_branch: project.defaultBranch,
      visibility: "private",
      http_url_to_repo: `${this.webUrl}/${project.path}.git`,
      ssh_url_to_repo: `git@127.0.0.1:${project.path}.git`,
      web_url: `${this.webUrl}/${project.path}`,
      namespace: { id: project.id + 1, name: namespace, path: namespace, kind: "group", full_path: namespace },
      permissions: {
        project_access: accessLevel > 0 ? { access_level: accessLevel, notification_level: 3 } : null,
        group_access: null,
      },
    };
  }

  issueUrl(project: ProjectState, iid: number): string {
    return `${this.webUrl}/${project.path}/-/issues/${iid}`;
  }

  mergeRequestUrl(project: ProjectState, iid: number): string {
    return `${this.webUrl}/${project.path}/-/merge_requests/${iid}`;
  }

  issue(project: ProjectState, issue: IssueState): Json {
    return {
      id: issue.id,
      iid: issue.iid,
      project_id: project.id,
      title: issue.title,
      description: issue.description,
      state: issue.state,
      created_at: issue.createdAt,
      updated_at: issue.createdAt,
      author: this.user(issue.author),
      labels: issue.labels ?? [],
      web_url: this.issueUrl(project, issue.iid),
    };
  }

  mergeRequest(project: ProjectState, mr: MergeRequestState): Json {
    return {
      id: mr.id,
      iid: mr.iid,
      project_id: project.id,
      title: mr.title,
      description: mr.description,
      state: mr.mrState,
      created_at: mr.createdAt,
      updated_at: mr.createdAt,
      author: this.user(mr.author),
      source_branch: mr.sourceBranch,
      target_branch: mr.targetBranch,
      source_project_id: project.id,
      target_project_id: project.id,
      draft: mr.title.startsWith("Draft:"),
      work_in_progress: mr.title.startsWith("Draft:"),
      sha: mr.sha,
      merge_commit_sha: null,
      web_url: this.mergeRequestUrl(project, mr.iid),
      diff_refs: { base_sha: mr.baseSha, head_sha: mr.sha, start_sha: mr.startSha },
      references: { short: `!${mr.iid}`, full: `${project.path}!${mr.iid}` },
    };
  }

  note(note: NoteState, noteable: { type: "Issue" | "MergeRequest"; id: number; iid: number }): Json {
    return {
      id: note.id,
      type: note.position ? "DiffNote" : note.discussionId ? "DiscussionNote" : null,
      body: note.body,
      attachment: null,
      author: this.user(note.author),
      created_at: note.createdAt,
      updated_at: note.createdAt,
      system: note.system,
      noteable_id: noteable.id,
      noteable_type: noteable.type,
      noteable_iid: noteable.iid,
      resolvable: note.position !== null,
      confidential: false,
      internal: false,
      position: note.position
        ? {
            base_sha: note.position.baseSha,
            start_sha: note.position.startSha,
            head_sha: note.position.headSha,
            old_path: note.position.newPath,
            new_path: note.position.newPath,
            position_type: "text",
            old_line: null,
            new_line: note.position.newLine,
          }
        : undefined,
    };
  }

  award(name: string, user: string, awardable: { id: number; type: "Issue" | "MergeRequest" | "Note" }): Json {
    return {
      id: Date.now() % 1_000_000,
      name,
      user: this.user(user),
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      awardable_id: awardable.id,
      awardable_type: awardable.type,
    };
  }
}
