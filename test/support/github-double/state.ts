/** GitHub's repository permission levels, highest first (what the collaborator-permission API answers). */
export type Permission = "admin" | "write" | "read" | "none";

export interface DoubleUser {
  login: string;
  id: number;
  type: "User" | "Bot";
}

export interface Comment {
  id: number;
  body: string;
  user: string;
  createdAt: string;
  updatedAt: string;
}

export interface Reaction {
  id: number;
  content: string;
  user: string;
  /** The comment (or 0 for the issue itself) it was added to. */
  commentId: number;
}

export interface ReviewComment extends Comment {
  path: string;
  line: number;
  side: "LEFT" | "RIGHT";
  commitId: string;
  reviewId: number | null;
}

export interface Review {
  id: number;
  user: string;
  body: string;
  state: "COMMENTED" | "APPROVED" | "CHANGES_REQUESTED";
  commitId: string;
  submittedAt: string;
}

export interface Thread {
  number: number;
  title: string;
  body: string;
  user: string;
  state: "open" | "closed";
  createdAt: string;
  updatedAt: string;
  comments: Comment[];
  reactions: Reaction[];
  pull: PullState | null;
}

export interface PullState {
  headRef: string;
  /** The fork the head branch lives in (its full name), or undefined for a branch of the same repository. */
  headRepo?: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  draft: boolean;
  merged: boolean;
  mergedAt: string | null;
  mergeCommitSha: string | null;
  reviews: Review[];
  reviewComments: ReviewComment[];
}

export interface CheckRun {
  id: number;
  name: string;
  headSha: string;
  status: "queued" | "in_progress" | "completed";
  conclusion: string | null;
  title: string | null;
  summary: string | null;
  text: string | null;
  /** The app that created it (check runs belong to apps). */
  app: string;
  detailsUrl: string | null;
  startedAt: string;
  completedAt: string | null;
  /** The job log an Actions job would offer (served at actions/jobs/{id}/logs). */
  log: string | null;
}

export interface CommitStatus {
  id: number;
  sha: string;
  state: "error" | "failure" | "pending" | "success";
  context: string;
  description: string | null;
  targetUrl: string | null;
  creator: string;
  createdAt: string;
}

export interface Hook {
  id: number;
  url: string;
  secret: string;
  events: string[];
  active: boolean;
  createdAt: string;
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  gitDir: string;
  defaultBranch: string;
  collaborators: Map<string, Permission>;
  threads: Map<number, Thread>;
  nextNumber: number;
  checkRuns: CheckRun[];
  statuses: CommitStatus[];
  hooks: Hook[];
  /** The repository this one is a fork of (its full name). */
  forkOf?: string;
  /** Branches only pull requests may change: a push to one is refused, as GitHub's branch protection refuses it. */
  protectedBranches?: Set<string>;
}

export type TokenOwner =
  | { kind: "user"; login: string }
  | { kind: "installation"; installationId: number; expiresAt: number; revoked: boolean };

export interface AppState {
  id: number;
  slug: string;
  publicKeyPem: string;
  installationId: number;
  repos: Set<string>;
  webhook: { url: string; secret: string } | null;
  /** How long minted installation tokens live (GitHub: one hour). */
  tokenLifetimeMs: number;
  tokensMinted: number;
}

/** What an authenticated request acts as. */
export type Actor =
  | { kind: "user"; login: string }
  | { kind: "installation"; login: string; installationId: number }
  | { kind: "app"; appId: number };

const RANK: Record<Permission, number> = { none: 0, read: 1, write: 2, admin: 3 };

export function atLeast(have: Permission, need: Permission): boolean {
  return RANK[have] >= RANK[need];
}

let counter = 1000;
/** Ids unique across the whole double, like GitHub's database ids. */
export function nextId(): number {
  counter += 1;
  return counter;
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Everything the double knows: users, repositories and their conversation, tokens, the installed app. */
export class DoubleState {
  readonly users = new Map<string, DoubleUser>();
  readonly repos = new Map<string, RepoState>();
  readonly tokens = new Map<string, TokenOwner>();
  app: AppState | null = null;

  user(login: string): DoubleUser {
    let user = this.users.get(login);
    if (!user) {
      user = { login, id: nextId(), type: login.endsWith("[bot]") ? "Bot" : "User" };
      this.users.set(login, user);
    }
    return user;
  }

  repo(fullName: string): RepoState {
    const repo = this.repos.get(fullName.toLowerCase());
    if (!repo) throw new Error(`the double hosts no repository ${fullName}`);
    return repo;
  }

  findRepo(owner: string, name: string): RepoState | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  thread(repo: RepoState, number: number): Thread {
    const thread = repo.threads.get(number);
    if (!thread) throw new Error(`${repo.fullName} has no issue or pull request #${number}`);
    return thread;
  }

  /** The permission an actor has on a repository. */
  permissionOf(actor: Actor, repo: RepoState): Permission {
    if (actor.kind === "app") return "none";
    if (actor.kind === "installation") return this.app?.repos.has(repo.fullName) ? "write" : "none";
    if (actor.login === repo.owner) return "admin";
    return repo.collaborators.get(actor.login) ?? "none";
  }

  /** The login a comment or check made by this actor shows. */
  loginOf(actor: Actor): string {
    if (actor.kind === "app") return `${this.app?.slug ?? "app"}[bot]`;
    return actor.login;
  }
}
