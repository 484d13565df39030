/** What the GitLab double keeps: users, projects with their issues, merge requests, notes, statuses and pipelines. */

/** GitLab's access levels (docs.gitlab.com/api/members/#roles). */
export const LEVEL = { none: 0, guest: 10, reporter: 20, developer: 30, maintainer: 40, owner: 50 } as const;
export type Role = keyof typeof LEVEL;

export interface GlUserState {
  id: number;
  username: string;
  bot: boolean;
}

export interface NoteState {
  id: number;
  body: string;
  author: string;
  createdAt: string;
  system: boolean;
  discussionId: string;
  /** For a note on a diff line (a DiffNote): where, in the new version. */
  position: { newPath: string; newLine: number; baseSha: string; startSha: string; headSha: string } | null;
  awards: { name: string; user: string }[];
}

export interface IssueState {
  id: number;
  iid: number;
  title: string;
  description: string;
  author: string;
  state: "opened" | "closed";
  createdAt: string;
  notes: NoteState[];
  awards: { name: string; user: string }[];
  /** Label titles, in the order they were added. */
  labels?: string[];
}

export interface MergeRequestState extends IssueState {
  sourceBranch: string;
  targetBranch: string;
  sha: string;
  baseSha: string;
  startSha: string;
  mrState: "opened" | "closed" | "merged";
}

export interface CommitStatusState {
  id: number;
  sha: string;
  name: string;
  state: string;
  description: string | null;
  targetUrl: string | null;
  author: string;
}

export interface JobState {
  id: number;
  name: string;
  stage: string;
  status: "failed" | "success";
  trace: string;
}

export interface PipelineState {
  id: number;
  sha: string;
  ref: string;
  status: "failed" | "success";
  jobs: JobState[];
}

export interface HookState {
  id: number;
  url: string;
  token: string;
  events: Record<string, boolean>;
}

export interface ProjectState {
  id: number;
  path: string;
  gitDir: string;
  defaultBranch: string;
  members: Map<string, number>;
  issues: Map<number, IssueState>;
  mergeRequests: Map<number, MergeRequestState>;
  nextIssue: number;
  nextMergeRequest: number;
  statuses: CommitStatusState[];
  pipelines: PipelineState[];
  hooks: HookState[];
}

let counter = 500;
/** Ids unique across the double, like GitLab's database ids. */
export function nextId(): number {
  counter += 1;
  return counter;
}

export function now(): string {
  return new Date().toISOString();
}
