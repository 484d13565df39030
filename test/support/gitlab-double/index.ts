import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { GitlabHttp, type RequestRecord } from "./http.ts";
import { MR_ROUTES } from "./mr-routes.ts";
import { GitlabObjects } from "./objects.ts";
import { ROUTES } from "./routes.ts";
import {
  LEVEL,
  nextId,
  now,
  type GlUserState,
  type HookState,
  type IssueState,
  type JobState,
  type MergeRequestState,
  type NoteState,
  type ProjectState,
  type Role,
} from "./state.ts";
import { GitlabHooks, type Delivery } from "./webhooks.ts";
import { DOUBLE_GIT_ENV, type FilePush } from "../github-double/git-backend.ts";

export type { Delivery, IssueState, MergeRequestState, NoteState, ProjectState, RequestRecord, Role };

/**
 * A stand-in for a GitLab instance on loopback: projects over git's smart HTTP, the REST API v4
 * calls Cadre makes (each route checked against the fields GitLab's API reference documents; any
 * other call fails the test), webhooks shaped like GitLab's documented payloads, and state to assert.
 */
export class GitlabDouble {
  readonly users = new Map<string, GlUserState>();
  readonly tokens = new Map<string, string>();
  readonly projects = new Map<string, ProjectState>();
  readonly webUrl: string;
  readonly apiUrl: string;
  readonly objects: GitlabObjects;
  readonly hooks: GitlabHooks;
  private readonly http: GitlabHttp;

  private constructor(
    private readonly server: Server,
    private readonly root: string,
  ) {
    this.webUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    this.apiUrl = `${this.webUrl}/api/v4`;
    this.objects = new GitlabObjects(this.webUrl, (username) => this.user(username));
    this.hooks = new GitlabHooks(this.objects);
    this.http = new GitlabHttp(this, [...ROUTES, ...MR_ROUTES], join(root, "git"));
    server.on("request", (req, res) => {
      this.http.handle(req, res).catch((error: Error) => {
        this.http.violations.push(`the double crashed on ${req.method} ${req.url}: ${error.stack ?? error.message}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  static async start(): Promise<GitlabDouble> {
    const root = await mkdtemp(join(tmpdir(), "gitlab-double-"));
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new GitlabDouble(server, root);
  }

  async close(): Promise<void> {
    await this.hooks.idle();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.root, { recursive: true, force: true });
  }

  get requests(): RequestRecord[] {
    return this.http.requests;
  }

  /** Calls GitLab's reference does not describe, or the double crashing: each fails the test. */
  problems(): string[] {
    return [...this.http.violations];
  }

  user(username: string, bot = false): GlUserState {
    let user = this.users.get(username);
    if (!user) {
      user = { id: nextId(), username, bot };
      this.users.set(username, user);
    }
    return user;
  }

  /** A personal access token of `username` (glpat-…). */
  createToken(username: string): string {
    this.user(username);
    const token = `glpat-${randomBytes(10).toString("hex")}`;
    this.tokens.set(token, username);
    return token;
  }

  findProject(idOrPath: string): ProjectState | undefined {
    if (/^\d+$/.test(idOrPath)) return [...this.projects.values()].find((p) => p.id === Number(idOrPath));
    return this.projects.get(idOrPath.toLowerCase());
  }

  levelOf(username: string, project: ProjectState): number {
    return project.members.get(username) ?? 0;
  }

  git(project: ProjectState, ...args: string[]): string {
    return execFileSync("git", args, {
      cwd: project.gitDir,
      encoding: "utf8",
      env: { ...process.env, ...DOUBLE_GIT_ENV },
    });
  }

  commitExists(project: ProjectState, sha: string): boolean {
    try {
      return this.git(project, "cat-file", "-t", sha).trim() === "commit";
    } catch {
      return false;
    }
  }

  branches(project: ProjectState): Map<string, string> {
    const out = new Map<string, string>();
    for (const line of this.git(project, "for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads").split(
      "\n",
    )) {
      const [name, sha] = line.split(" ");
      if (name && sha) out.set(name, sha);
    }
    return out;
  }

  async createProject(
    path: string,
    options: { files: Record<string, string>; members: Record<string, Role> },
  ): Promise<ProjectState> {
    const gitDir = join(this.root, "git", `${path.toLowerCase()}.git`);
    const seed = join(this.root, "seed", path);
    await mkdir(seed, { recursive: true });
    const run = (cwd: string, ...args: string[]) =>
      execFileSync("git", args, { cwd, env: { ...process.env, ...DOUBLE_GIT_ENV } });
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
    const members = new Map<string, number>();
    for (const [username, role] of Object.entries(options.members)) {
      this.user(username);
      members.set(username, LEVEL[role]);
    }
    const project: ProjectState = {
      id: nextId(),
      path,
      gitDir,
      defaultBranch: "main",
      members,
      issues: new Map(),
      mergeRequests: new Map(),
      nextIssue: 1,
      nextMergeRequest: 1,
      statuses: [],
      pipelines: [],
      hooks: [],
    };
    this.projects.set(path.toLowerCase(), project);
    return project;
  }

  cloneUrl(project: ProjectState): string {
    return `${this.webUrl}/${project.path}.git`;
  }

  addHook(project: ProjectState, url: string, token: string, events: Record<string, boolean> = {}): HookState {
    const hook = { id: nextId(), url, token, events: { push_events: true, ...events } };
    project.hooks.push(hook);
    return hook;
  }

  noteHook(
    project: ProjectState,
    on: { issue?: IssueState; mr?: MergeRequestState },
    note: NoteState,
  ): Promise<Delivery[]> {
    return this.hooks.send(project, "Note Hook", this.hooks.notePayload(project, on, note));
  }

  /** Opens a merge request between two existing branches (and tells the hooks); null when one is missing. */
  createMergeRequest(
    project: ProjectState,
    input: { author: string; title: string; description: string; source: string; target: string },
  ): MergeRequestState | null {
    const branches = this.branches(project);
    const sha = branches.get(input.source);
    const target = branches.get(input.target);
    if (!sha || !target) return null;
    const iid = project.nextMergeRequest++;
    const mr: MergeRequestState = {
      id: nextId(),
      iid,
      title: input.title,
      description: input.description,
      author: input.author,
      state: "opened",
      mrState: "opened",
      createdAt: now(),
      notes: [],
      awards: [],
      sourceBranch: input.source,
      targetBranch: input.target,
      sha,
      startSha: target,
      baseSha: this.git(project, "merge-base", target, sha).trim(),
    };
    project.mergeRequests.set(iid, mr);
    this.git(project, "update-ref", `refs/merge-requests/${iid}/head`, sha);
    void this.hooks.send(
      project,
      "Merge Request Hook",
      this.hooks.mergeRequestPayload(project, mr, { actor: input.author, action: "open" }),
    );
    return mr;
  }

  /** After a push: a Push Hook per moved branch, and open merge requests from a moved branch follow it (GitLab's "update" with oldrev). */
  afterPush(project: ProjectState, before: Map<string, string>, pusher: string): void {
    const after = this.branches(project);
    this.announcePushes(project, { before, after, pusher });
    for (const mr of project.mergeRequests.values()) {
      const head = after.get(mr.sourceBranch);
      if (mr.mrState !== "opened" || !head || head === mr.sha || head === before.get(mr.sourceBranch)) continue;
      const oldrev = mr.sha;
      mr.sha = head;
      mr.startSha = after.get(mr.targetBranch) ?? mr.startSha;
      mr.baseSha = this.git(project, "merge-base", mr.startSha, head).trim();
      this.git(project, "update-ref", `refs/merge-requests/${mr.iid}/head`, head);
      void this.hooks.send(
        project,
        "Merge Request Hook",
        this.hooks.mergeRequestPayload(project, mr, { actor: pusher, action: "update", oldrev }),
      );
    }
  }

  private announcePushes(
    project: ProjectState,
    push: { before: Map<string, string>; after: Map<string, string>; pusher: string },
  ): void {
    const zero = "0".repeat(40);
    for (const [branch, head] of push.after) {
      const previous = push.before.get(branch);
      if (previous === head) continue;
      const range = previous ? `${previous}..${head}` : head;
      const commits = this.git(project, "log", "--format=%H%x09%s%x09%aI%x09%an", "-20", range)
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [id = "", title = "", timestamp = "", name = ""] = line.split("\t");
          return {
            id,
            message: `${title}\n`,
            title,
            timestamp,
            url: `${this.webUrl}/${project.path}/-/commit/${id}`,
            author: { name, email: "[REDACTED]" },
            added: [],
            modified: [],
            removed: [],
          };
        });
      const payload = this.hooks.pushPayload(project, {
        branch,
        before: previous ?? zero,
        after: head,
        pusher: push.pusher,
        commits,
      });
      void this.hooks.send(project, "Push Hook", payload);
    }
  }

  /** New-side lines in the merge request's diff hunks, per file (GitLab positions diff notes only there). */
  diffLines(project: ProjectState, mr: MergeRequestState): Map<string, Set<number>> {
    const diff = this.git(project, "diff", "--no-color", "--no-ext-diff", "-U3", mr.baseSha, mr.sha);
    const out = new Map<string, Set<number>>();
    let file: string | null = null;
    let line = 0;
    for (const text of diff.split("\n")) {
      if (text.startsWith("+++ ")) file = text.startsWith("+++ b/") ? text.slice(6) : null;
      else if (text.startsWith("@@")) line = Number(/\+(\d+)/.exec(text)?.[1] ?? 0);
      else if (file && (text.startsWith("+") || text.startsWith(" "))) {
        out.set(file, (out.get(file) ?? new Set()).add(line));
        line += 1;
      }
    }
    return out;
  }

  /** Lines the merge request adds or changes (for asserting a finding sits on a changed line). */
  addedLines(project: ProjectState, mr: MergeRequestState, file: string): Set<number> {
    const diff = this.git(project, "diff", "--no-color", "-U0", mr.baseSha, mr.sha, "--", file);
    const out = new Set<number>();
    let line = 0;
    for (const text of diff.split("\n")) {
      if (text.startsWith("@@")) line = Number(/\+(\d+)/.exec(text)?.[1] ?? 0);
      else if (text.startsWith("+") && !text.startsWith("+++")) out.add(line++);
    }
    return out;
  }

  show(project: ProjectState, ref: string, file: string): string {
    return this.git(project, "show", `${ref}:${file}`);
  }

  // --- What people do on GitLab (each sends the webhook GitLab would) ---

  async openIssue(project: ProjectState, author: string, title: string, description: string) {
    const issue: IssueState = {
      id: nextId(),
      iid: project.nextIssue++,
      title,
      description,
      author,
      state: "opened",
      createdAt: now(),
      notes: [],
      awards: [],
    };
    project.issues.set(issue.iid, issue);
    const deliveries = await this.hooks.send(project, "Issue Hook", this.hooks.issuePayload(project, issue, "open"));
    return { issue, deliveries };
  }

  async comment(
    project: ProjectState,
    {
      by: author,
      on,
      body,
      ...options
    }: { by: string; on: { issue?: IssueState; mr?: MergeRequestState }; body: string; token?: string },
  ) {
    const note: NoteState = {
      id: nextId(),
      body,
      author,
      createdAt: now(),
      system: false,
      discussionId: "",
      position: null,
      awards: [],
    };
    (on.mr ?? on.issue)?.notes.push(note);
    const deliveries = await this.hooks.send(project, "Note Hook", this.hooks.notePayload(project, on, note), options);
    return { note, deliveries };
  }

  /** Adds a label to an issue, as the issue's sidebar does: an Issue Hook "update" with the labels before and after. */
  async labelIssue(project: ProjectState, actor: string, issue: IssueState, label: string) {
    const labelsBefore = [...(issue.labels ?? [])];
    issue.labels = [...labelsBefore, label];
    const payload = this.hooks.issuePayload(project, issue, "update", { labelsBefore });
    payload.user = this.hooks.userJson(actor);
    return this.hooks.send(project, "Issue Hook", payload);
  }

  /** A thread started on a line of the merge request's diff (a DiffNote). */
  async diffNote(
    project: ProjectState,
    author: string,
    mr: MergeRequestState,
    input: { path: string; line: number; body: string },
  ) {
    const note: NoteState = {
      id: nextId(),
      body: input.body,
      author,
      createdAt: now(),
      system: false,
      discussionId: `d${nextId()}`,
      position: {
        newPath: input.path,
        newLine: input.line,
        baseSha: mr.baseSha,
        startSha: mr.startSha,
        headSha: mr.sha,
      },
      awards: [],
    };
    mr.notes.push(note);
    const deliveries = await this.hooks.send(project, "Note Hook", this.hooks.notePayload(project, { mr }, note));
    return { note, deliveries };
  }

  /** A pipeline on `sha` that finished with failed jobs (their traces are what the jobs API serves). */
  async failPipeline(
    project: ProjectState,
    input: { sha: string; ref: string; jobs: { name: string; trace: string }[] },
  ) {
    const jobs: JobState[] = input.jobs.map((j) => ({
      id: nextId(),
      name: j.name,
      stage: "test",
      status: "failed",
      trace: j.trace,
    }));
    const pipeline = { id: nextId(), sha: input.sha, ref: input.ref, status: "failed" as const, jobs };
    project.pipelines.push(pipeline);
    const mr = [...project.mergeRequests.values()].find((m) => m.sha === input.sha && m.mrState === "opened") ?? null;
    const deliveries = await this.hooks.send(
      project,
      "Pipeline Hook",
      this.hooks.pipelinePayload(project, pipeline, mr, "alice"),
    );
    return { pipeline, deliveries };
  }

  /** A person's commit of `files` on `branch` (from the default branch when new), pushed as GitLab would take it. */
  async pushFiles(project: ProjectState, { by: pusher, branch, files, message }: FilePush): Promise<string> {
    const work = await mkdtemp(join(this.root, "push-"));
    const run = (...args: string[]) =>
      execFileSync("git", args, { cwd: work, encoding: "utf8", env: { ...process.env, ...DOUBLE_GIT_ENV } });
    run("clone", "-q", project.gitDir, ".");
    const exists = this.branches(project).has(branch);
    run("checkout", "-q", ...(exists ? [branch] : ["-b", branch]));
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, file)), { recursive: true });
      await writeFile(join(work, file), content);
    }
    run("add", "-A");
    run("commit", "-q", "-m", message);
    const before = this.branches(project);
    run("push", "-q", "origin", `HEAD:refs/heads/${branch}`);
    await rm(work, { recursive: true, force: true });
    this.afterPush(project, before, pusher);
    return this.branches(project).get(branch) ?? "";
  }

  mergeRequestByBranch(project: ProjectState, prefix: string): MergeRequestState | undefined {
    return [...project.mergeRequests.values()].find((mr) => mr.sourceBranch.startsWith(prefix));
  }

  idle(): Promise<void> {
    return this.hooks.idle();
  }
}
