import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mintToken } from "./auth.ts";
import { DoubleHttp, type RequestRecord } from "./http-server.ts";
import { Renderer } from "./objects.ts";
import { OpenApiCheck, type Description } from "./openapi-check.ts";
import { checkHandlers } from "./rest-checks.ts";
import { issueHandlers } from "./rest-issues.ts";
import { pullHandlers } from "./rest-pulls.ts";
import { repoHandlers } from "./rest-repos.ts";
import {
  DoubleState,
  nextId,
  now,
  type CheckRun,
  type Comment,
  type CommitStatus,
  type Permission,
  type RepoState,
  type Thread,
} from "./state.ts";
import { WebhookSender, type Delivery, type WebhookTarget } from "./webhooks.ts";
import { World } from "./world.ts";
import { DOUBLE_GIT_ENV, type FilePush } from "./git-backend.ts";

export type { Delivery, RepoState, Thread, CheckRun, CommitStatus, Permission, RequestRecord };

export interface GithubDoubleOptions {
  /** `ghes-3.19` serves the API under /api/v3 like GitHub Enterprise Server; `api.github.com` at the root. */
  description?: Description;
}

/** The pre-receive hook of a repository with protected branches (listed in $GIT_DIR/protected-branches). */
const PROTECTED_BRANCH_HOOK = `#!/bin/sh
while read old new ref; do
  if grep -qxF "$ref" protected-branches; then
    echo "error: GH006: Protected branch update failed for $ref." >&2
    echo "error: Changes must be made through a pull request." >&2
    exit 1
  fi
done
`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...DOUBLE_GIT_ENV } });
}

/**
 * A stand-in for GitHub (github.com or Enterprise Server) on loopback: repositories over git's smart
 * HTTP, the REST calls Cadre makes checked against GitHub's official description, webhooks built
 * from GitHub's real example payloads and signed as GitHub signs them, and state a test can assert.
 */
export class GithubDouble {
  readonly state = new DoubleState();
  readonly webUrl: string;
  readonly apiUrl: string;
  readonly hooks: WebhookSender;
  private readonly http: DoubleHttp;
  private readonly world: World;

  private constructor(
    private readonly server: Server,
    private readonly root: string,
    description: Description,
  ) {
    const port = (server.address() as AddressInfo).port;
    this.webUrl = `http://127.0.0.1:${port}`;
    const prefix = description === "api.github.com" ? "" : "/api/v3";
    this.apiUrl = `${this.webUrl}${prefix}`;
    const check = OpenApiCheck.load(description);
    const renderer = new Renderer(check, this.state, this.webUrl, this.apiUrl);
    this.hooks = new WebhookSender(renderer);
    this.hooks.currentUrl = (hookId) => {
      for (const repo of this.state.repos.values()) {
        const hook = repo.hooks.find((h) => h.id === hookId);
        if (hook) return hook.url;
      }
      return this.state.app && hookId === this.state.app.id * 10 ? this.state.app.webhook?.url : undefined;
    };
    this.world = new World(this.state, renderer, this.hooks);
    const handlers = {
      ...repoHandlers(this.world),
      ...issueHandlers(this.world),
      ...pullHandlers(this.world),
      ...checkHandlers(this.world),
    };
    this.http = new DoubleHttp(this.world, check, handlers, { apiPrefix: prefix, gitRoot: join(root, "git") });
    server.on("request", (req, res) => {
      this.http.handle(req, res).catch((error: Error) => {
        this.http.doubleBugs.push(`the double crashed on ${req.method} ${req.url}: ${error.stack ?? error.message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  static async start(options: GithubDoubleOptions = {}): Promise<GithubDouble> {
    const root = await mkdtemp(join(tmpdir(), "github-double-"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new GithubDouble(server, root, options.description ?? "ghes-3.19");
  }

  get requests(): RequestRecord[] {
    return this.http.requests;
  }

  /** Requests the description does not allow, and answers of the double it does not allow. */
  problems(): string[] {
    return [...this.http.violations, ...this.http.doubleBugs];
  }

  /** A personal access token acting as `login`. */
  createToken(login: string): string {
    this.state.user(login);
    const token = mintToken("ghp");
    this.state.tokens.set(token, { kind: "user", login });
    return token;
  }

  async createRepo(
    fullName: string,
    options: { files: Record<string, string>; collaborators?: Record<string, Permission>; defaultBranch?: string },
  ): Promise<RepoState> {
    const [owner, name] = fullName.split("/") as [string, string];
    const gitDir = join(this.root, "git", `${fullName.toLowerCase()}.git`);
    const seed = join(this.root, "seed", fullName);
    const branch = options.defaultBranch ?? "main";
    await mkdir(seed, { recursive: true });
    git(seed, "init", "-q", "-b", branch);
    for (const [path, content] of Object.entries(options.files)) {
      await mkdir(dirname(join(seed, path)), { recursive: true });
      await writeFile(join(seed, path), content);
    }
    git(seed, "add", "-A");
    git(seed, "commit", "-q", "-m", "initial");
    await mkdir(dirname(gitDir), { recursive: true });
    git(this.root, "clone", "-q", "--bare", seed, gitDir);
    git(gitDir, "config", "http.receivepack", "true");
    this.state.user(owner);
    for (const login of Object.keys(options.collaborators ?? {})) this.state.user(login);
    const repo: RepoState = {
      id: nextId(),
      owner,
      name,
      fullName,
      gitDir,
      defaultBranch: branch,
      collaborators: new Map(Object.entries(options.collaborators ?? {})),
      threads: new Map(),
      nextNumber: 1,
      checkRuns: [],
      statuses: [],
      hooks: [],
    };
    this.state.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  /** A fork of `parent` owned by `owner` (who is its admin), with all of the parent's branches. */
  async forkRepo(parent: RepoState, owner: string): Promise<RepoState> {
    const fullName = `${owner}/${parent.name}`;
    const gitDir = join(this.root, "git", `${fullName.toLowerCase()}.git`);
    await mkdir(dirname(gitDir), { recursive: true });
    git(this.root, "clone", "-q", "--bare", parent.gitDir, gitDir);
    git(gitDir, "config", "http.receivepack", "true");
    this.state.user(owner);
    const fork: RepoState = {
      ...parent,
      id: nextId(),
      owner,
      fullName,
      gitDir,
      collaborators: new Map(),
      threads: new Map(),
      nextNumber: 1,
      checkRuns: [],
      statuses: [],
      hooks: [],
      forkOf: parent.fullName,
      protectedBranches: new Set(),
    };
    this.state.repos.set(fullName.toLowerCase(), fork);
    return fork;
  }

  /**
   * Protects a branch: from now on every push to it is refused (GitHub's "GH006: Protected branch
   * update failed"), whoever pushes; only merging a pull request moves it.
   */
  async protectBranch(repo: RepoState, branch: string): Promise<void> {
    repo.protectedBranches = new Set([...(repo.protectedBranches ?? []), branch]);
    await writeFile(
      join(repo.gitDir, "protected-branches"),
      [...repo.protectedBranches].map((name) => `refs/heads/${name}\n`).join(""),
    );
    await writeFile(join(repo.gitDir, "hooks", "pre-receive"), PROTECTED_BRANCH_HOOK, { mode: 0o755 });
  }

  cloneUrl(repo: RepoState): string {
    return `${this.webUrl}/${repo.fullName}.git`;
  }

  /** Installs a GitHub App on repositories; its webhook (if any) gets their events. */
  installApp(app: {
    id: number;
    slug: string;
    publicKeyPem: string;
    installationId: number;
    repos: string[];
    webhook?: { url: string; secret: string };
    tokenLifetimeMs?: number;
  }): void {
    this.state.app = {
      id: app.id,
      slug: app.slug,
      publicKeyPem: app.publicKeyPem,
      installationId: app.installationId,
      repos: new Set(app.repos),
      webhook: app.webhook ?? null,
      tokenLifetimeMs: app.tokenLifetimeMs ?? 3600_000,
      tokensMinted: 0,
    };
    this.state.user(`${app.slug}[bot]`);
  }

  /** A repository webhook added by hand in the repository's settings. */
  addHook(repo: RepoState, url: string, secret: string, events = ["*"]): WebhookTarget {
    const hook = { id: nextId(), url, secret, events, active: true, createdAt: now() };
    repo.hooks.push(hook);
    return { url, secret, hookId: hook.id, targetType: "repository", targetId: repo.id };
  }

  /** Installation tokens minted so far are refused from now on (an early revocation). */
  revokeInstallationTokens(): void {
    for (const owner of this.state.tokens.values()) if (owner.kind === "installation") owner.revoked = true;
  }

  /**
   * Holds every call of an operation (by operationId) until `release` is called: `reached`
   * resolves when the first one arrives.
   */
  hold(operationId: string): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (reached = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.http.holds.set(operationId, { reached, released });
    return {
      reached: arrived,
      release: () => {
        this.http.holds.delete(operationId);
        release();
      },
    };
  }

  /** The next `count` API requests are refused with GitHub's (secondary by default) rate-limit answer. */
  rateLimit(count: number, kind: "secondary" | "primary" = "secondary", retryAfterSeconds = 1): void {
    this.http.limits = { remaining: count, kind, retryAfterSeconds };
  }

  async openIssue(
    repo: RepoState,
    user: string,
    title: string,
    body: string,
  ): Promise<{ thread: Thread; deliveries: Delivery[] }> {
    const at = now();
    const thread: Thread = {
      number: repo.nextNumber++,
      title,
      body,
      user,
      state: "open",
      createdAt: at,
      updatedAt: at,
      comments: [],
      reactions: [],
      pull: null,
    };
    repo.threads.set(thread.number, thread);
    this.state.user(user);
    const deliveries = await this.world.emit(repo, {
      event: "issues",
      action: "opened",
      overrides: { issue: this.world.render.issue(repo, thread) },
      sender: user,
    });
    return { thread, deliveries };
  }

  async comment(
    repo: RepoState,
    user: string,
    number: number,
    body: string,
  ): Promise<{ comment: Comment; deliveries: Delivery[] }> {
    const thread = this.state.thread(repo, number);
    const at = now();
    const comment = { id: nextId(), body, user, createdAt: at, updatedAt: at };
    thread.comments.push(comment);
    thread.updatedAt = at;
    this.state.user(user);
    const deliveries = await this.world.emit(repo, {
      event: "issue_comment",
      action: "created",
      overrides: {
        issue: this.world.render.issue(repo, thread),
        comment: this.world.render.comment(repo, thread, comment),
      },
      sender: user,
    });
    return { comment, deliveries };
  }

  /** A review comment on one line of a pull request's new side (as "Add a comment" on a diff line does). */
  async reviewComment(
    repo: RepoState,
    user: string,
    number: number,
    at: { path: string; line: number; body: string },
  ): Promise<Delivery[]> {
    const thread = this.state.thread(repo, number);
    const pull = thread.pull;
    if (!pull) throw new Error(`#${number} is not a pull request`);
    if (!this.world.diffLines(repo, thread).get(at.path)?.has(at.line))
      throw new Error(`${at.path}:${at.line} is not part of the diff of #${number}`);
    const time = now();
    const comment = {
      id: nextId(),
      body: at.body,
      user,
      createdAt: time,
      updatedAt: time,
      path: at.path,
      line: at.line,
      side: "RIGHT" as const,
      commitId: pull.headSha,
      reviewId: nextId(),
    };
    pull.reviewComments.push(comment);
    return this.world.emit(repo, {
      event: "pull_request_review_comment",
      action: "created",
      overrides: {
        comment: this.world.render.reviewComment(repo, thread, comment),
        pull_request: this.world.render.pull(repo, thread),
      },
      sender: user,
    });
  }

  /** Commits files onto a branch (created from `from` when missing), as someone pushing would. */
  async pushFiles(
    repo: RepoState,
    { by: user, branch, files, message, from = repo.defaultBranch }: FilePush & { from?: string },
  ): Promise<string> {
    const work = join(this.root, "work", `${repo.fullName}-${nextId()}`);
    const start = this.world.branchSha(repo, branch) ?? this.world.branchSha(repo, from);
    if (!start) throw new Error(`${repo.fullName} has no branch ${from}`);
    git(this.root, "clone", "-q", "--no-checkout", repo.gitDir, work);
    git(work, "checkout", "-q", "-B", branch, start);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, path)), { recursive: true });
      await writeFile(join(work, path), content);
    }
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", message);
    const before = this.world.branches(repo);
    git(work, "push", "-q", "origin", `HEAD:refs/heads/${branch}`);
    await rm(work, { recursive: true, force: true });
    await this.world.afterPush(repo, before, user);
    return git(repo.gitDir, "rev-parse", `refs/heads/${branch}`).trim();
  }

  /** Opens a pull request from a branch of the same repository (or of `headRepo`, a fork of it), as `user`. */
  async openPull(
    repo: RepoState,
    user: string,
    pull: { head: string; headRepo?: RepoState; base?: string; title: string; body?: string; draft?: boolean },
  ): Promise<{ thread: Thread; deliveries: Delivery[] }> {
    const base = pull.base ?? repo.defaultBranch;
    const headSha = this.world.branchSha(pull.headRepo ?? repo, pull.head);
    // GitHub keeps a fork's head in the base repository too, as refs/pull/N/head.
    if (headSha && pull.headRepo) this.world.git(repo, "fetch", "-q", pull.headRepo.gitDir, `refs/heads/${pull.head}`);
    const baseSha = this.world.branchSha(repo, base);
    if (!headSha || !baseSha) throw new Error(`no branch ${pull.head} or ${base}`);
    const at = now();
    const thread: Thread = {
      number: repo.nextNumber++,
      title: pull.title,
      body: pull.body ?? "",
      user,
      state: "open",
      createdAt: at,
      updatedAt: at,
      comments: [],
      reactions: [],
      pull: {
        headRef: pull.head,
        ...(pull.headRepo ? { headRepo: pull.headRepo.fullName } : {}),
        headSha,
        baseRef: base,
        baseSha,
        draft: pull.draft ?? false,
        merged: false,
        mergedAt: null,
        mergeCommitSha: null,
        reviews: [],
        reviewComments: [],
      },
    };
    repo.threads.set(thread.number, thread);
    this.world.git(repo, "update-ref", `refs/pull/${thread.number}/head`, headSha);
    const deliveries = await this.hooks.send(
      "pull_request",
      this.world.pullEvent(repo, { thread, action: "opened", sender: user }),
      this.world.targets(repo, "pull_request"),
    );
    return { thread, deliveries };
  }

  /** Merges a pull request (a merge commit on the base branch) or closes it unmerged. */
  async closePull(repo: RepoState, user: string, number: number, merge: boolean): Promise<Delivery[]> {
    const thread = this.state.thread(repo, number);
    const pull = thread.pull;
    if (!pull) throw new Error(`#${number} is not a pull request`);
    if (merge) {
      const tree = this.world.git(repo, "rev-parse", `${pull.headSha}^{tree}`).trim();
      const commit = this.world
        .git(repo, "commit-tree", tree, "-p", pull.baseSha, "-p", pull.headSha, "-m", `Merge pull request #${number}`)
        .trim();
      this.world.git(repo, "update-ref", `refs/heads/${pull.baseRef}`, commit, pull.baseSha);
      pull.merged = true;
      pull.mergedAt = now();
      pull.mergeCommitSha = commit;
    }
    thread.state = "closed";
    thread.updatedAt = now();
    return this.hooks.send(
      "pull_request",
      this.world.pullEvent(repo, { thread, action: "closed", sender: user }),
      this.world.targets(repo, "pull_request"),
    );
  }

  /** A CI check run that completed on a commit (by an app other than Cadre's, e.g. GitHub Actions). */
  async completeCheck(
    repo: RepoState,
    check: {
      sha: string;
      name: string;
      conclusion: string;
      summary?: string;
      text?: string;
      log?: string;
      app?: string;
    },
  ): Promise<Delivery[]> {
    const id = nextId();
    const app = check.app ?? "github-actions";
    const run: CheckRun = {
      id,
      name: check.name,
      headSha: check.sha,
      status: "completed",
      conclusion: check.conclusion,
      title: `${check.name} ${check.conclusion}`,
      summary: check.summary ?? null,
      text: check.text ?? null,
      app,
      detailsUrl:
        app === "github-actions"
          ? `${this.webUrl}/${repo.fullName}/actions/runs/${nextId()}/job/${id}`
          : `${this.webUrl}/ci/${id}`,
      startedAt: now(),
      completedAt: now(),
      log: check.log ?? null,
    };
    repo.checkRuns.push(run);
    const rendered = {
      ...this.world.render.checkRun(repo, run),
      app: { id: 15368, slug: app, name: app },
      pull_requests: this.world.pullsAt(repo, check.sha),
    };
    return this.world.emit(repo, {
      event: "check_run",
      action: "completed",
      overrides: { check_run: rendered },
      sender: app === "github-actions" ? "github-actions[bot]" : `${app}[bot]`,
    });
  }

  /** A commit status set by CI (a plain-token integration such as Jenkins). */
  async setStatus(
    repo: RepoState,
    status: { sha: string; state: CommitStatus["state"]; context: string; description?: string; creator?: string },
  ): Promise<Delivery[]> {
    const stored: CommitStatus = {
      id: nextId(),
      sha: status.sha,
      state: status.state,
      context: status.context,
      description: status.description ?? null,
      targetUrl: `${this.webUrl}/ci/${nextId()}`,
      creator: status.creator ?? "ci-bot",
      createdAt: now(),
    };
    repo.statuses.push(stored);
    return this.world.emit(repo, {
      event: "status",
      overrides: this.world.statusPayload(repo, stored),
      sender: stored.creator,
    });
  }

  /** A file's content on a ref of a hosted repository. */
  show(repo: RepoState, ref: string, path: string): string {
    return this.world.git(repo, "show", `${ref}:${path}`);
  }

  gitIn(repo: RepoState, ...args: string[]): string {
    return this.world.git(repo, ...args);
  }

  /**
   * The `push` webhook GitHub sends once commits reach a branch. `pushFiles` leaves it to the test
   * (most tests do not want it), which sends it with the branch's heads before and after.
   */
  announcePush(
    repo: RepoState,
    { by, branch, before, after }: { by: string; branch: string; before: string; after: string },
  ): Promise<Delivery[]> {
    return this.world.emit(repo, {
      event: "push",
      overrides: {
        ref: `refs/heads/${branch}`,
        before,
        after,
        created: false,
        deleted: false,
        forced: false,
        compare: `${this.webUrl}/${repo.fullName}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
        pusher: { name: by, email: `${by}@users.noreply.example` },
      },
      sender: by,
    });
  }

  /** Puts a label on an issue, as `user`, and sends `issues.labeled` with it. */
  labelIssue(repo: RepoState, user: string, number: number, label: string): Promise<Delivery[]> {
    const thread = repo.threads.get(number);
    if (!thread || thread.pull) throw new Error(`${repo.fullName} has no issue #${number}`);
    thread.updatedAt = now();
    return this.world.emit(repo, {
      event: "issues",
      action: "labeled",
      overrides: { issue: this.world.render.issue(repo, thread), label: { name: label } },
      sender: user,
    });
  }

  /** Waits until the webhooks caused by API calls have been answered. */
  idle(): Promise<void> {
    return this.hooks.idle();
  }

  async close(): Promise<void> {
    await this.hooks.idle();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await rm(this.root, { recursive: true, force: true });
  }
}
