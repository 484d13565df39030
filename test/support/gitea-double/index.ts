import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GiteaHttp } from "./http.ts";
import { GiteaObjects } from "./objects.ts";
import { ACTIONS_ROUTES } from "./actions-routes.ts";
import { PULL_ROUTES } from "./pull-routes.ts";
import { ROUTES } from "./routes.ts";
import {
  nextId,
  now,
  type CommentState,
  type GtUserState,
  type HookState,
  type Permission,
  type RepoState,
  type StatusState,
  type ThreadState,
} from "./state.ts";
import { GiteaHooks, type Delivery } from "./webhooks.ts";
import { DOUBLE_GIT_ENV, type FilePush } from "../github-double/git-backend.ts";

export type { CommentState, Delivery, Permission, RepoState, StatusState, ThreadState };

/**
 * A stand-in for Gitea (or, with `flavor: "forgejo"`, Forgejo) on loopback: repositories over git's
 * smart HTTP, the API v1 calls Cadre makes checked against the fields Gitea's reference documents
 * (any other call fails the test), webhooks shaped like Gitea's payloads and signed as it signs them.
 */
export class GiteaDouble {
  readonly users = new Map<string, GtUserState>();
  readonly tokens = new Map<string, string>();
  readonly repos = new Map<string, RepoState>();
  readonly webUrl: string;
  readonly apiUrl: string;
  readonly objects: GiteaObjects;
  readonly hooks: GiteaHooks;
  private readonly http: GiteaHttp;

  private constructor(
    private readonly server: Server,
    private readonly root: string,
    flavor: "gitea" | "forgejo",
  ) {
    this.webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.apiUrl = `${this.webUrl}/api/v1`;
    this.objects = new GiteaObjects(this.webUrl, (login) => this.user(login));
    this.hooks = new GiteaHooks(this.objects, flavor);
    this.http = new GiteaHttp(this, [...ROUTES, ...PULL_ROUTES, ...ACTIONS_ROUTES], join(root, "git"));
    server.on("request", (req, res) => {
      this.http.handle(req, res).catch((error: Error) => {
        this.http.violations.push(`the double crashed on ${req.method} ${req.url}: ${error.stack ?? error.message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  static async start(options: { flavor?: "gitea" | "forgejo" } = {}): Promise<GiteaDouble> {
    const root = await mkdtemp(join(tmpdir(), "gitea-double-"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new GiteaDouble(server, root, options.flavor ?? "gitea");
  }

  async close(): Promise<void> {
    await this.hooks.idle();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.root, { recursive: true, force: true });
  }

  problems(): string[] {
    return [...this.http.violations];
  }

  user(login: string): GtUserState {
    let user = this.users.get(login);
    if (!user) {
      user = { id: nextId(), login };
      this.users.set(login, user);
    }
    return user;
  }

  createToken(login: string): string {
    this.user(login);
    const token = randomBytes(20).toString("hex");
    this.tokens.set(token, login);
    return token;
  }

  permissionOf(login: string, repo: RepoState): Permission {
    if (login === repo.owner) return "admin";
    return repo.collaborators.get(login) ?? "none";
  }

  git(repo: RepoState, ...args: string[]): string {
    return execFileSync("git", args, {
      cwd: repo.gitDir,
      encoding: "utf8",
      env: { ...process.env, ...DOUBLE_GIT_ENV },
    });
  }

  branches(repo: RepoState): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of this.git(repo, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads").split(
      "\n",
    )) {
      const [name, sha] = line.split(" ");
      if (name && sha) out.set(name, sha);
    }
    return out;
  }

  async createRepo(
    fullName: string,
    options: { files: Record<string, string>; collaborators: Record<string, Permission> },
  ): Promise<RepoState> {
    const [owner = "", name = ""] = fullName.split("/");
    const gitDir = join(this.root, "git", `${fullName.toLowerCase()}.git`);
    const seed = join(this.root, "seed", fullName);
    const run = (cwd: string, ...args: string[]) =>
      execFileSync("git", args, { cwd, env: { ...process.env, ...DOUBLE_GIT_ENV } });
    await mkdir(seed, { recursive: true });
    run(seed, "init", "-q", "-b", "main");
    for (const [file, content] of Object.entries(options.files)) {
      await mkdir(dirname(join(seed, file)), { recursive: true });
      await writeFile(join(seed, file), content);
    }
    run(seed, "add", "-A");
    run(seed, "commit", "-q", "-m", "initial");
    await mkdir(dirname(gitDir), { recursive: true });
    run(this.root, "clone", "-q", "--bare", seed, gitDir);
    run(gitDir, "config", "http.receivepack", "true");
    this.user(owner);
    for (const login of Object.keys(options.collaborators)) this.user(login);
    const repo: RepoState = {
      id: nextId(),
      owner,
      name,
      fullName,
      gitDir,
      defaultBranch: "main",
      collaborators: new Map(Object.entries(options.collaborators)),
      threads: new Map(),
      nextNumber: 1,
      statuses: [],
      runs: [],
      hooks: [],
    };
    this.repos.set(fullName.toLowerCase(), repo);
    return repo;
  }

  cloneUrl(repo: RepoState): string {
    return `${this.webUrl}/${repo.fullName}.git`;
  }

  addHook(repo: RepoState, url: string, secret: string, events: string[] = []): HookState {
    const hook = { id: nextId(), url, secret, events };
    repo.hooks.push(hook);
    return hook;
  }

  commentHook(repo: RepoState, thread: ThreadState, comment: CommentState): Promise<Delivery[]> {
    return this.hooks.send(repo, "issue_comment", this.hooks.commentPayload(repo, thread, comment));
  }

  openPull(
    repo: RepoState,
    input: { user: string; head: string; base: string; title: string; body: string },
  ): ThreadState | null {
    const branches = this.branches(repo);
    const headSha = branches.get(input.head);
    const baseSha = branches.get(input.base);
    if (!headSha || !baseSha) return null;
    const thread: ThreadState = {
      id: nextId(),
      number: repo.nextNumber++,
      title: input.title,
      body: input.body,
      user: input.user,
      state: "open",
      createdAt: now(),
      comments: [],
      reactions: [],
      pull: {
        headRef: input.head,
        headSha,
        baseRef: input.base,
        baseSha,
        merged: false,
        reviews: [],
        openedAt: Date.now(),
      },
    };
    repo.threads.set(thread.number, thread);
    this.git(repo, "update-ref", `refs/pull/${thread.number}/head`, headSha);
    void this.hooks.send(repo, "pull_request", this.hooks.pullPayload(repo, thread, "opened", input.user));
    return thread;
  }

  /** After a push: a push hook per moved branch, and open pull requests from a moved branch follow it ("synchronized"). */
  afterPush(repo: RepoState, before: Map<string, string>, pusher: string): void {
    const after = this.branches(repo);
    this.announcePushes(repo, { before, after, pusher });
    for (const thread of repo.threads.values()) {
      const pull = thread.pull;
      const head = pull ? after.get(pull.headRef) : undefined;
      if (!pull || thread.state !== "open" || !head || head === pull.headSha || head === before.get(pull.headRef))
        continue;
      pull.headSha = head;
      this.git(repo, "update-ref", `refs/pull/${thread.number}/head`, head);
      void this.hooks.send(repo, "pull_request", this.hooks.pullPayload(repo, thread, "synchronized", pusher));
    }
  }

  private announcePushes(
    repo: RepoState,
    push: { before: Map<string, string>; after: Map<string, string>; pusher: string },
  ): void {
    for (const [branch, head] of push.after) {
      const previous = push.before.get(branch);
      if (previous === head) continue;
      const range = previous ? `${previous}..${head}` : head;
      const commits = this.git(repo, "log", "--reverse", "--format=%H%x09%s%x09%aI%x09%an", "-20", range)
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [id = "", message = "", timestamp = "", name = ""] = line.split("\t");
          const author = { name, email: `${name}@noreply.example.com`, username: "" };
          return {
            id,
            message: `${message}\n`,
            url: `${this.webUrl}/${repo.fullName}/commit/${id}`,
            author,
            committer: author,
            verification: null,
            timestamp,
            added: [],
            removed: [],
            modified: [],
          };
        });
      const payload = this.hooks.pushPayload(repo, {
        branch,
        before: previous ?? "0".repeat(40),
        after: head,
        pusher: push.pusher,
        commits,
      });
      void this.hooks.send(repo, "push", payload);
    }
  }

  /** Adds a label to an issue: event "issues" of type "issue_label", action "label_updated". */
  async labelIssue(repo: RepoState, user: string, thread: ThreadState, label: string) {
    thread.labels = [...(thread.labels ?? []), label];
    return this.hooks.send(repo, "issues", this.hooks.labelPayload(repo, thread, user), { type: "issue_label" });
  }

  /** New-side lines shown in the pull request's diff, per file (Gitea positions review comments there). */
  diffLines(repo: RepoState, thread: ThreadState): Map<string, Set<number>> {
    const pull = thread.pull;
    const out = new Map<string, Set<number>>();
    if (!pull) return out;
    const base = this.git(repo, "merge-base", pull.baseSha, pull.headSha).trim();
    let file: string | null = null;
    let line = 0;
    for (const text of this.git(repo, "diff", "--no-color", "-U3", base, pull.headSha).split("\n")) {
      if (text.startsWith("+++ ")) file = text.startsWith("+++ b/") ? text.slice(6) : null;
      else if (text.startsWith("@@")) line = Number(/\+(\d+)/.exec(text)?.[1] ?? 0);
      else if (file && (text.startsWith("+") || text.startsWith(" "))) {
        out.set(file, (out.get(file) ?? new Set()).add(line));
        line += 1;
      }
    }
    return out;
  }

  show(repo: RepoState, ref: string, file: string): string {
    return this.git(repo, "show", `${ref}:${file}`);
  }

  // --- What people and CI do on Gitea (each sends the webhook Gitea would) ---

  async openIssue(repo: RepoState, user: string, title: string, body: string) {
    const thread: ThreadState = {
      id: nextId(),
      number: repo.nextNumber++,
      title,
      body,
      user,
      state: "open",
      createdAt: now(),
      comments: [],
      reactions: [],
      pull: null,
    };
    repo.threads.set(thread.number, thread);
    const deliveries = await this.hooks.send(repo, "issues", this.hooks.issuePayload(repo, thread));
    return { thread, deliveries };
  }

  /** `secret` signs the delivery instead of the hook's (a forger's guess); `forgejoSecret` only its X-Forgejo-Signature. */
  async comment(
    repo: RepoState,
    {
      by: user,
      thread,
      body,
      ...options
    }: { by: string; thread: ThreadState; body: string; secret?: string; forgejoSecret?: string },
  ) {
    const comment: CommentState = { id: nextId(), body, user, createdAt: now(), reactions: [] };
    thread.comments.push(comment);
    const deliveries = await this.hooks.send(
      repo,
      "issue_comment",
      this.hooks.commentPayload(repo, thread, comment),
      options,
    );
    return { comment, deliveries };
  }

  /** A commit status as Gitea (or Forgejo) Actions report a job: `context` is "<workflow> / <job> (<event>)". */
  async setStatus(
    repo: RepoState,
    input: {
      sha: string;
      state: "failure" | "success" | "error";
      context: string;
      description: string;
      by: string;
      /** The job's log: the status then links to an Actions run whose job serves it through the actions API. */
      log?: string;
    },
  ) {
    const targetUrl =
      input.log === undefined ? `${this.webUrl}/${repo.fullName}/actions/runs/1/jobs/0` : this.addRun(repo, input);
    const status: StatusState = {
      id: nextId(),
      sha: input.sha,
      state: input.state,
      context: input.context,
      description: input.description,
      targetUrl,
      creator: input.by,
    };
    repo.statuses.push(status);
    const deliveries = await this.hooks.send(repo, "status", this.hooks.statusPayload(repo, status));
    return { status, deliveries };
  }

  /** An Actions run of one job on the commit, from a status context "<workflow> / <job> (<event>)"; its job's page. */
  private addRun(repo: RepoState, input: { sha: string; context: string; state: string; log?: string }): string {
    const [, workflow = "ci", job = input.context, event = "push"] =
      /^(.+?) \/ (.+) \(([^()]+)\)$/.exec(input.context) ?? [];
    const branch = [...this.branches(repo)].find(([, sha]) => sha === input.sha)?.[0] ?? repo.defaultBranch;
    const run = {
      id: nextId(),
      index: repo.runs.length + 1,
      sha: input.sha,
      branch,
      workflow,
      event,
      jobs: [
        {
          id: nextId(),
          name: job,
          conclusion: input.state === "success" ? ("success" as const) : ("failure" as const),
          log: input.log ?? "",
        },
      ],
    };
    repo.runs.push(run);
    return `${this.webUrl}/${repo.fullName}/actions/runs/${run.index}/jobs/0`;
  }

  async pushFiles(repo: RepoState, { by: pusher, branch, files, message }: FilePush): Promise<string> {
    const work = await mkdtemp(join(this.root, "push-"));
    const run = (...args: string[]) =>
      execFileSync("git", args, { cwd: work, encoding: "utf8", env: { ...process.env, ...DOUBLE_GIT_ENV } });
    run("clone", "-q", repo.gitDir, ".");
    run("checkout", "-q", ...(this.branches(repo).has(branch) ? [branch] : ["-b", branch]));
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, file)), { recursive: true });
      await writeFile(join(work, file), content);
    }
    run("add", "-A");
    run("commit", "-q", "-m", message);
    const before = this.branches(repo);
    run("push", "-q", "origin", `HEAD:refs/heads/${branch}`);
    await rm(work, { recursive: true, force: true });
    this.afterPush(repo, before, pusher);
    return this.branches(repo).get(branch) ?? "";
  }

  pullByBranch(repo: RepoState, prefix: string): ThreadState | undefined {
    return [...repo.threads.values()].find((t) => t.pull?.headRef.startsWith(prefix));
  }

  idle(): Promise<void> {
    return this.hooks.idle();
  }
}
