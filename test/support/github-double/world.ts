import { execFileSync } from "node:child_process";
import type { Renderer } from "./objects.ts";
import { type Actor, type CommitStatus, type DoubleState, type RepoState, type Thread, now } from "./state.ts";
import type { Delivery, WebhookSender, WebhookTarget } from "./webhooks.ts";

type Json = Record<string, unknown>;

export interface RestRequest {
  actor: Actor | null;
  params: Record<string, string>;
  query: URLSearchParams;
  body: Json;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (request: RestRequest) => RestResponse | Promise<RestResponse>;

export function fail(status: number, message: string, extra: Json = {}): RestResponse {
  return {
    status,
    body: { message, documentation_url: "https://docs.github.com/rest", status: String(status), ...extra },
  };
}

/** What every REST handler shares: the state, the JSON renderer, the hosted git repositories and webhooks. */
/** A webhook to send: the event, its action, the payload's own fields and who caused it. */
export interface WebhookEvent {
  event: string;
  action?: string | undefined;
  overrides: Json;
  sender: string;
}

export class World {
  constructor(
    readonly state: DoubleState,
    readonly render: Renderer,
    readonly hooks: WebhookSender,
  ) {}

  git(repo: RepoState, ...args: string[]): string {
    return execFileSync("git", args, {
      cwd: repo.gitDir,
      encoding: "utf8",
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: repo.gitDir,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "GitHub",
        GIT_AUTHOR_EMAIL: "noreply@github.com",
        GIT_COMMITTER_NAME: "GitHub",
        GIT_COMMITTER_EMAIL: "noreply@github.com",
      },
    });
  }

  /** The commit a branch points at, or null. */
  branchSha(repo: RepoState, branch: string): string | null {
    try {
      return this.git(repo, "rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`).trim() || null;
    } catch {
      return null;
    }
  }

  /** Every branch and its commit. */
  branches(repo: RepoState): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of this.git(repo, "for-each-ref", "--format=%(refname:strip=2) %(objectname)", "refs/heads").split(
      "\n",
    )) {
      const [name, sha] = line.split(" ");
      if (name && sha) out.set(name, sha);
    }
    return out;
  }

  /** Where a repository's events go: its hooks, and the app's hook when the app is installed on it. */
  targets(repo: RepoState, event: string): WebhookTarget[] {
    const out: WebhookTarget[] = repo.hooks
      .filter((h) => h.active && (h.events.includes(event) || h.events.includes("*")))
      .map((h) => ({ url: h.url, secret: h.secret, hookId: h.id, targetType: "repository", targetId: repo.id }));
    const app = this.state.app;
    if (app?.webhook && app.repos.has(repo.fullName))
      out.push({
        url: app.webhook.url,
        secret: app.webhook.secret,
        hookId: app.id * 10,
        targetType: "integration",
        targetId: app.id,
      });
    return out;
  }

  private eventPayload(repo: RepoState, { event, action, overrides, sender }: WebhookEvent): Json {
    const app = this.state.app;
    return this.hooks.payload(event, action, {
      ...overrides,
      repository: this.render.repository(repo),
      sender: this.render.user(sender),
      ...(app?.repos.has(repo.fullName)
        ? { installation: { id: app.installationId, node_id: `MDIz${app.installationId}` } }
        : {}),
    });
  }

  /** Sends an event now and returns the deliveries (for what a test does itself). */
  emit(repo: RepoState, hook: WebhookEvent): Promise<Delivery[]> {
    return this.hooks.send(hook.event, this.eventPayload(repo, hook), this.targets(repo, hook.event));
  }

  /** Sends an event after the current API call has been answered (for what the API caller caused). */
  emitLater(repo: RepoState, hook: WebhookEvent): void {
    this.hooks.sendLater(hook.event, this.eventPayload(repo, hook), this.targets(repo, hook.event));
  }

  pullEvent(
    repo: RepoState,
    { thread, action, sender, extra = {} }: { thread: Thread; action: string; sender: string; extra?: Json },
  ): Json {
    return this.eventPayload(repo, {
      event: "pull_request",
      action,
      overrides: { number: thread.number, pull_request: this.render.pull(repo, thread), ...extra },
      sender,
    });
  }

  /**
   * After a push: pull requests whose head branch moved get the new head (and refs/pull/N/head),
   * and a `pull_request.synchronize` event, as GitHub sends.
   */
  afterPush(repo: RepoState, before: Map<string, string>, pusher: string): Promise<Delivery[][]> {
    const after = this.branches(repo);
    const sent: Promise<Delivery[]>[] = [];
    for (const thread of repo.threads.values()) {
      const pull = thread.pull;
      // A fork's pull request follows pushes to the fork, not to a same-named branch here.
      if (!pull || thread.state !== "open" || pull.headRepo) continue;
      const head = after.get(pull.headRef);
      if (head && head !== before.get(pull.headRef) && head !== pull.headSha) {
        const previous = pull.headSha;
        pull.headSha = head;
        thread.updatedAt = now();
        this.git(repo, "update-ref", `refs/pull/${thread.number}/head`, head);
        const payload = this.pullEvent(repo, {
          thread,
          action: "synchronize",
          sender: pusher,
          extra: { before: previous, after: head },
        });
        sent.push(this.hooks.send("pull_request", payload, this.targets(repo, "pull_request")));
      }
      const base = after.get(pull.baseRef);
      if (base) pull.baseSha = base;
    }
    return Promise.all(sent);
  }

  /** Lines of the pull request's new side that its diff shows (GitHub accepts review comments only there). */
  diffLines(repo: RepoState, thread: Thread): Map<string, Set<number>> {
    const pull = thread.pull;
    const out = new Map<string, Set<number>>();
    if (!pull) return out;
    const mergeBase = this.git(repo, "merge-base", pull.baseSha, pull.headSha).trim();
    const diff = this.git(repo, "diff", "--no-color", "--no-ext-diff", "-U3", mergeBase, pull.headSha);
    let file: string | null = null;
    let line = 0;
    for (const text of diff.split("\n")) {
      if (text.startsWith("+++ ")) {
        file = text === "+++ /dev/null" ? null : text.slice(6);
        if (file) out.set(file, new Set());
        continue;
      }
      const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(text);
      if (hunk) {
        line = Number(hunk[1]);
        continue;
      }
      if (!file || text.startsWith("--- ") || text.startsWith("diff ") || text.startsWith("index ")) continue;
      if (text.startsWith("+") || text.startsWith(" ")) {
        out.get(file)?.add(line);
        line += 1;
      }
    }
    return out;
  }

  /** The open pull requests whose head is `sha`, as check_run payloads list them. */
  pullsAt(repo: RepoState, sha: string): Json[] {
    const api = `${this.render.apiUrl}/repos/${repo.fullName}`;
    const repoRef = { id: repo.id, url: api, name: repo.name };
    return [...repo.threads.values()]
      .filter((t) => t.state === "open" && t.pull?.headSha === sha)
      .map((t) => ({
        url: `${api}/pulls/${t.number}`,
        id: t.number * 1000 + repo.id,
        number: t.number,
        head: { ref: t.pull?.headRef, sha: t.pull?.headSha, repo: repoRef },
        base: { ref: t.pull?.baseRef, sha: t.pull?.baseSha, repo: repoRef },
      }));
  }

  /** The fields of a `status` event for one commit status. */
  statusPayload(repo: RepoState, status: CommitStatus): Json {
    const branches = [...this.branches(repo)]
      .filter(([, sha]) => sha === status.sha)
      .map(([name, sha]) => ({
        name,
        commit: { sha, url: `${this.render.apiUrl}/repos/${repo.fullName}/commits/${sha}` },
        protected: repo.protectedBranches?.has(name) ?? false,
      }));
    return {
      id: status.id,
      sha: status.sha,
      name: repo.fullName,
      target_url: status.targetUrl,
      context: status.context,
      description: status.description,
      state: status.state,
      commit: { sha: status.sha, url: `${this.render.apiUrl}/repos/${repo.fullName}/commits/${status.sha}` },
      branches,
      created_at: status.createdAt,
      updated_at: status.createdAt,
    };
  }
}
