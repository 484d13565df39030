/** What the Gitea double keeps: users, repositories with issues and pull requests (one number sequence), statuses. */

export type Permission = "admin" | "write" | "read" | "none";

export interface GtUserState {
  id: number;
  login: string;
}

export interface CommentState {
  id: number;
  body: string;
  user: string;
  createdAt: string;
  reactions: { content: string; user: string }[];
}

export interface ReviewCommentState {
  id: number;
  body: string;
  user: string;
  path: string;
  /** The line in the new version (Gitea's `new_position`). */
  line: number;
}

export interface ReviewState {
  id: number;
  user: string;
  body: string;
  event: string;
  commitId: string;
  comments: ReviewCommentState[];
}

export interface PullState {
  headRef: string;
  headSha: string;
  baseRef: string;
  baseSha: string;
  merged: boolean;
  reviews: ReviewState[];
  /** When it was opened, in ms since the epoch (`createdAt` has Gitea's second precision). */
  openedAt: number;
}

export interface ThreadState {
  id: number;
  number: number;
  title: string;
  body: string;
  user: string;
  state: "open" | "closed";
  createdAt: string;
  comments: CommentState[];
  reactions: { content: string; user: string }[];
  pull: PullState | null;
  /** Label names, in the order they were added. */
  labels?: string[];
}

export interface StatusState {
  id: number;
  sha: string;
  state: string;
  context: string;
  description: string;
  targetUrl: string;
  creator: string;
}

/** A Gitea Actions run on a commit and its jobs (each reports a commit status). */
export interface ActionRunState {
  id: number;
  /** The run's number in the repository (its page: /actions/runs/<index>). */
  index: number;
  sha: string;
  branch: string;
  workflow: string;
  event: string;
  jobs: { id: number; name: string; conclusion: "failure" | "success"; log: string }[];
}

export interface HookState {
  id: number;
  url: string;
  secret: string;
  events: string[];
}

export interface RepoState {
  id: number;
  owner: string;
  name: string;
  fullName: string;
  gitDir: string;
  defaultBranch: string;
  collaborators: Map<string, Permission>;
  threads: Map<number, ThreadState>;
  nextNumber: number;
  statuses: StatusState[];
  /** Gitea Actions runs, for the actions API. */
  runs: ActionRunState[];
  hooks: HookState[];
}

let counter = 700;
export function nextId(): number {
  counter += 1;
  return counter;
}

export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
