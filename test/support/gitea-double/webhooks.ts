import { createHmac, randomUUID } from "node:crypto";
import type { GiteaObjects } from "./objects.ts";
import type { CommentState, HookState, RepoState, StatusState, ThreadState } from "./state.ts";

type Json = Record<string, unknown>;

export interface Delivery {
  id: string;
  event: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  status: number | null;
  response: string;
}

/** The hook event a delivery belongs to (Gitea's "pull_request_sync" covers pushes to a pull request). */
const HOOK_EVENT: Record<string, string> = { synchronized: "pull_request_sync" };

/**
 * Webhook payloads shaped like Gitea's (modules/structs/hook.go: IssuePayload, IssueCommentPayload,
 * PullRequestPayload, CommitStatusPayload), signed as Gitea signs them: X-Gitea-Signature, the hex
 * HMAC-SHA256 of the body. As Forgejo, the X-Forgejo-* headers are sent too.
 */
export class GiteaHooks {
  readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly objects: GiteaObjects,
    private readonly flavor: "gitea" | "forgejo",
  ) {}

  private base(repo: RepoState, sender: string): Json {
    return {
      repository: this.objects.repo(repo, { admin: false, push: false, pull: true }),
      sender: this.objects.user(sender),
    };
  }

  issuePayload(repo: RepoState, thread: ThreadState): Json {
    return {
      action: "opened",
      number: thread.number,
      issue: this.objects.issue(repo, thread),
      ...this.base(repo, thread.user),
      commit_id: "",
    };
  }

  commentPayload(repo: RepoState, thread: ThreadState, comment: CommentState): Json {
    return {
      action: "created",
      issue: this.objects.issue(repo, thread),
      ...(thread.pull ? { pull_request: this.objects.pull(repo, thread) } : {}),
      comment: this.objects.comment(repo, thread, comment),
      ...this.base(repo, comment.user),
      is_pull: thread.pull !== null,
    };
  }

  pullPayload(repo: RepoState, thread: ThreadState, action: string, sender: string): Json {
    return {
      action,
      number: thread.number,
      pull_request: this.objects.pull(repo, thread),
      ...this.base(repo, sender),
      commit_id: "",
      review: null,
    };
  }

  /** An issue's labels changed (IssuePayload, action "label_updated"): the payload holds the labels after the change. */
  labelPayload(repo: RepoState, thread: ThreadState, sender: string): Json {
    return {
      action: "label_updated",
      number: thread.number,
      issue: this.objects.issue(repo, thread),
      ...this.base(repo, sender),
      commit_id: "",
    };
  }

  /** PushPayload: one branch moved by a push, with its commits (newest last, as Gitea lists them). */
  pushPayload(
    repo: RepoState,
    push: { branch: string; before: string; after: string; pusher: string; commits: Json[] },
  ): Json {
    const pusher = this.objects.user(push.pusher);
    return {
      ref: `refs/heads/${push.branch}`,
      before: push.before,
      after: push.after,
      compare_url: `${this.objects.webUrl}/${repo.fullName}/compare/${push.before}...${push.after}`,
      commits: push.commits,
      total_commits: push.commits.length,
      head_commit: push.commits.at(-1) ?? null,
      repository: this.objects.repo(repo, { admin: false, push: false, pull: true }),
      pusher,
      sender: pusher,
    };
  }

  statusPayload(repo: RepoState, status: StatusState): Json {
    return {
      commit: { id: status.sha, message: "", url: "" },
      context: status.context,
      created_at: new Date().toISOString(),
      description: status.description,
      id: status.id,
      ...this.base(repo, status.creator),
      sha: status.sha,
      state: status.state,
      target_url: status.targetUrl,
      updated_at: new Date().toISOString(),
    };
  }

  /** `type` is the hook event type a delivery is subscribed by and names in X-Gitea-Event-Type ("issue_label" for event "issues"). */
  send(
    repo: RepoState,
    event: string,
    payload: Json,
    options: { secret?: string; forgejoSecret?: string; type?: string } = {},
  ): Promise<Delivery[]> {
    const subscribed = options.type ?? HOOK_EVENT[String(payload.action)] ?? event;
    const hooks = repo.hooks.filter(
      (h: HookState) => h.events.length === 0 || h.events.includes(subscribed) || h.events.includes(event),
    );
    const type = options.type ?? event;
    const sent = Promise.all(
      hooks.map((hook) => {
        const secret = options.secret ?? hook.secret;
        return this.deliver(hook, { event, type }, payload, { secret, forgejo: options.forgejoSecret ?? secret });
      }),
    );
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
    return sent;
  }

  redeliver(delivery: Delivery): Promise<Delivery> {
    return this.post({ ...delivery, status: null, response: "" });
  }

  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  private deliver(
    hook: HookState,
    { event, type }: { event: string; type: string },
    payload: Json,
    secrets: { secret: string; forgejo: string },
  ): Promise<Delivery> {
    const id = randomUUID();
    const body = JSON.stringify(payload);
    const signature = createHmac("sha256", secrets.secret).update(body).digest("hex");
    const forgejoSignature = createHmac("sha256", secrets.forgejo).update(body).digest("hex");
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": "Go-http-client/1.1",
      "X-Gitea-Delivery": id,
      "X-Gitea-Event": event,
      "X-Gitea-Event-Type": type,
      "X-Gitea-Signature": signature,
      "X-GitHub-Delivery": id,
      "X-GitHub-Event": event,
      "X-Hub-Signature-256": `sha256=${signature}`,
      ...(this.flavor === "forgejo"
        ? {
            "X-Forgejo-Delivery": id,
            "X-Forgejo-Event": event,
            "X-Forgejo-Event-Type": type,
            "X-Forgejo-Signature": forgejoSignature,
          }
        : {}),
    };
    return this.post({ id, event, url: hook.url, body, headers, status: null, response: "" });
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
