import { randomUUID } from "node:crypto";
import type { GitlabObjects } from "./objects.ts";
import {
  nextId,
  now,
  type HookState,
  type IssueState,
  type MergeRequestState,
  type NoteState,
  type PipelineState,
  type ProjectState,
} from "./state.ts";

type Json = Record<string, unknown>;

export interface Delivery {
  /** The Idempotency-Key: the same when GitLab retries a delivery. */
  id: string;
  event: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  status: number | null;
  response: string;
}

/** Which hook setting (docs: project webhooks API) lets each event through. */
const SETTING: Record<string, string> = {
  "Push Hook": "push_events",
  "Note Hook": "note_events",
  "Issue Hook": "issues_events",
  "Merge Request Hook": "merge_requests_events",
  "Pipeline Hook": "pipeline_events",
};

/**
 * Webhook payloads shaped like GitLab's documented examples
 * (docs.gitlab.com/user/project/integrations/webhook_events), sent as GitLab sends them: JSON,
 * the hook's secret token as X-Gitlab-Token, X-Gitlab-Event, X-Gitlab-Event-UUID and Idempotency-Key.
 */
export class GitlabHooks {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly labelIds = new Map<string, number>();

  constructor(private readonly objects: GitlabObjects) {}

  private projectJson(project: ProjectState): Json {
    const rendered = this.objects.project(project, 0);
    return {
      id: project.id,
      name: rendered.name,
      description: "",
      web_url: rendered.web_url,
      avatar_url: null,
      git_ssh_url: rendered.ssh_url_to_repo,
      git_http_url: rendered.http_url_to_repo,
      namespace: project.path.split("/")[0],
      visibility_level: 0,
      path_with_namespace: project.path,
      default_branch: project.defaultBranch,
      homepage: rendered.web_url,
      url: rendered.ssh_url_to_repo,
      ssh_url: rendered.ssh_url_to_repo,
      http_url: rendered.http_url_to_repo,
    };
  }

  userJson(username: string): Json {
    const user = this.objects.user(username);
    return { id: user.id, name: user.name, username, avatar_url: user.avatar_url, email: "[REDACTED]" };
  }

  private base(kind: string, project: ProjectState, actor: string): Json {
    return {
      object_kind: kind,
      event_type: kind,
      user: this.userJson(actor),
      project_id: project.id,
      project: this.projectJson(project),
      repository: {
        name: project.path.split("/").at(-1),
        url: `${this.objects.webUrl}/${project.path}.git`,
        description: "",
        homepage: `${this.objects.webUrl}/${project.path}`,
      },
    };
  }

  notePayload(project: ProjectState, on: { issue?: IssueState; mr?: MergeRequestState }, note: NoteState): Json {
    const target = on.mr ?? on.issue;
    const type = on.mr ? "MergeRequest" : "Issue";
    const url = on.mr
      ? this.objects.mergeRequestUrl(project, on.mr.iid)
      : this.objects.issueUrl(project, on.issue?.iid ?? 0);
    const rendered = this.objects.note(note, { type, id: target?.id ?? 0, iid: target?.iid ?? 0 });
    return {
      ...this.base("note", project, note.author),
      object_attributes: {
        id: note.id,
        note: note.body,
        noteable_type: type,
        author_id: (this.objects.user(note.author).id as number) ?? 0,
        created_at: note.createdAt,
        updated_at: note.createdAt,
        project_id: project.id,
        attachment: null,
        line_code: null,
        commit_id: "",
        noteable_id: target?.id ?? 0,
        system: note.system,
        st_diff: null,
        type: rendered.type,
        position: rendered.position ?? null,
        discussion_id: note.discussionId || `n${note.id}`,
        url: `${url}#note_${note.id}`,
        action: "create",
      },
      ...(on.mr
        ? { merge_request: this.objects.mergeRequest(project, on.mr) }
        : { issue: this.objects.issue(project, on.issue as IssueState) }),
    };
  }

  /** A label as webhook payloads render it (the REST API's issues list names only). */
  private labelJson(project: ProjectState, title: string): Json {
    const key = `${project.id}:${title}`;
    const id = this.labelIds.get(key) ?? nextId();
    this.labelIds.set(key, id);
    return {
      id,
      title,
      color: "#428BCA",
      project_id: project.id,
      created_at: now(),
      updated_at: now(),
      template: false,
      description: null,
      type: "ProjectLabel",
      group_id: null,
    };
  }

  issuePayload(
    project: ProjectState,
    issue: IssueState,
    action: "open" | "update" | "close",
    changes: { labelsBefore?: string[] } = {},
  ): Json {
    const labels = (issue.labels ?? []).map((title) => this.labelJson(project, title));
    return {
      ...this.base("issue", project, issue.author),
      object_attributes: {
        id: issue.id,
        iid: issue.iid,
        title: issue.title,
        description: issue.description,
        author_id: this.objects.user(issue.author).id,
        project_id: project.id,
        created_at: issue.createdAt,
        updated_at: issue.createdAt,
        state: issue.state,
        url: this.objects.issueUrl(project, issue.iid),
        action,
      },
      labels,
      changes: changes.labelsBefore
        ? {
            labels: { previous: changes.labelsBefore.map((title) => this.labelJson(project, title)), current: labels },
            updated_at: { previous: issue.createdAt, current: new Date().toISOString() },
          }
        : {},
    };
  }

  /** A Push Hook for one branch moved by a push (docs: "Push events"); the pusher is named by flat fields. */
  pushPayload(
    project: ProjectState,
    push: { branch: string; before: string; after: string; pusher: string; commits: Json[] },
  ): Json {
    const user = this.objects.user(push.pusher);
    const rendered = this.objects.project(project, 0);
    return {
      object_kind: "push",
      event_name: "push",
      before: push.before,
      after: push.after,
      ref: `refs/heads/${push.branch}`,
      ref_protected: push.branch === project.defaultBranch,
      checkout_sha: push.after,
      message: null,
      user_id: user.id,
      user_name: user.name,
      user_username: push.pusher,
      user_email: "",
      user_avatar: user.avatar_url,
      project_id: project.id,
      project: this.projectJson(project),
      repository: {
        name: rendered.name,
        url: rendered.ssh_url_to_repo,
        description: "",
        homepage: rendered.web_url,
        git_http_url: rendered.http_url_to_repo,
        git_ssh_url: rendered.ssh_url_to_repo,
        visibility_level: 0,
      },
      commits: push.commits,
      total_commits_count: push.commits.length,
    };
  }

  mergeRequestPayload(
    project: ProjectState,
    mr: MergeRequestState,
    input: { actor: string; action: string; oldrev?: string },
  ): Json {
    const rendered = this.objects.mergeRequest(project, mr);
    return {
      ...this.base("merge_request", project, input.actor),
      object_attributes: {
        id: mr.id,
        iid: mr.iid,
        target_branch: mr.targetBranch,
        source_branch: mr.sourceBranch,
        source_project_id: project.id,
        target_project_id: project.id,
        author_id: this.objects.user(mr.author).id,
        title: mr.title,
        description: mr.description,
        created_at: mr.createdAt,
        updated_at: mr.createdAt,
        state: mr.mrState,
        merge_status: "can_be_merged",
        draft: rendered.draft,
        work_in_progress: rendered.draft,
        url: rendered.web_url,
        source: this.projectJson(project),
        target: this.projectJson(project),
        last_commit: {
          id: mr.sha,
          message: "",
          timestamp: mr.createdAt,
          url: `${rendered.web_url}/diffs?commit_id=${mr.sha}`,
          author: { name: "Cadre", email: "cadre@example.com" },
        },
        action: input.action,
        ...(input.oldrev ? { oldrev: input.oldrev } : {}),
      },
      labels: [],
      changes: {},
    };
  }

  pipelinePayload(project: ProjectState, pipeline: PipelineState, mr: MergeRequestState | null, actor: string): Json {
    return {
      ...this.base("pipeline", project, actor),
      object_attributes: {
        id: pipeline.id,
        iid: pipeline.id % 1000,
        name: null,
        ref: pipeline.ref,
        tag: false,
        sha: pipeline.sha,
        before_sha: "0000000000000000000000000000000000000000",
        source: mr ? "merge_request_event" : "push",
        status: pipeline.status,
        detailed_status: pipeline.status,
        stages: [...new Set(pipeline.jobs.map((j) => j.stage))],
        created_at: new Date().toISOString(),
        finished_at: new Date().toISOString(),
        duration: 63,
        queued_duration: 0,
        variables: [],
        url: `${this.objects.webUrl}/${project.path}/-/pipelines/${pipeline.id}`,
      },
      merge_request: mr
        ? {
            id: mr.id,
            iid: mr.iid,
            title: mr.title,
            source_branch: mr.sourceBranch,
            source_project_id: project.id,
            target_branch: mr.targetBranch,
            target_project_id: project.id,
            state: mr.mrState,
            merge_status: "can_be_merged",
            url: this.objects.mergeRequestUrl(project, mr.iid),
          }
        : null,
      commit: {
        id: pipeline.sha,
        message: "",
        title: "",
        timestamp: new Date().toISOString(),
        url: "",
        author: { name: "Cadre", email: "cadre@example.com" },
      },
      builds: pipeline.jobs.map((j) => ({
        id: j.id,
        stage: j.stage,
        name: j.name,
        status: j.status,
        created_at: new Date().toISOString(),
        started_at: null,
        finished_at: null,
        duration: 1,
        queued_duration: 0,
        failure_reason: j.status === "failed" ? "script_failure" : null,
        when: "on_success",
        manual: false,
        allow_failure: false,
        user: this.userJson(actor),
        runner: null,
        artifacts_file: { filename: null, size: null },
        environment: null,
      })),
    };
  }

  /** Sends to every hook of the project that takes the event; `token` overrides the hook's (a forger's guess). */
  send(
    project: ProjectState,
    event: string,
    payload: Json,
    options: { token?: string; id?: string } = {},
  ): Promise<Delivery[]> {
    const hooks = project.hooks.filter((h: HookState) => h.events[SETTING[event] ?? ""] !== false);
    const sent = Promise.all(hooks.map((hook) => this.deliver(hook, event, payload, options)));
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
    return sent;
  }

  /** Sends a delivery again with the same Idempotency-Key, as GitLab's retries do. */
  redeliver(delivery: Delivery): Promise<Delivery> {
    return this.post({
      ...delivery,
      headers: { ...delivery.headers, "X-Gitlab-Event-UUID": randomUUID() },
      status: null,
      response: "",
    });
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private deliver(
    hook: HookState,
    event: string,
    payload: Json,
    options: { token?: string; id?: string },
  ): Promise<Delivery> {
    const id = options.id ?? randomUUID();
    const body = JSON.stringify(payload);
    return this.post({
      id,
      event,
      url: hook.url,
      body,
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "GitLab/17.6.0",
        "X-Gitlab-Event": event,
        "X-Gitlab-Token": options.token ?? hook.token,
        "X-Gitlab-Instance": this.objects.webUrl,
        "X-Gitlab-Webhook-UUID": `hook-${hook.id}`,
        "X-Gitlab-Event-UUID": randomUUID(),
        "Idempotency-Key": id,
      },
      status: null,
      response: "",
    });
  }

  private async post(delivery: Delivery): Promise<Delivery> {
    try {
      const answer = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body });
      delivery.status = answer.status;
      delivery.response = await answer.text();
    } catch (error) {
      delivery.status = 0;
      delivery.response = (error as Error).message;
    }
    this.deliveries.push(delivery);
    return delivery;
  }
}
