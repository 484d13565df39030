/**
 * Cadre's own names for what every forge has. Adapters translate their forge's objects into these
 * (a GitHub pull request and a GitLab merge request are both a change request); nothing outside an
 * adapter sees a forge-shaped name.
 */

/** A repository's permission for a forge user, on Cadre's scale (GitLab's Developer is `write`). */
export type ForgePermission = "admin" | "write" | "read" | "none";

export interface ForgeUser {
  login: string;
  /** Apps and service accounts: their comments never start work. */
  isBot: boolean;
}

/** Where a conversation happens: an issue, or a change request (pull/merge request). */
export interface ThreadRef {
  kind: "issue" | "change_request";
  number: number;
}

export interface ForgeComment {
  /** Opaque to Cadre; the adapter reads it back (e.g. to react to the comment). */
  id: string;
  /** `description` is the or change request's own body; `review_comment` sits on a diff line. */
  kind: "description" | "comment" | "review_comment";
  author: ForgeUser;
  body: string;
  url: string;
  createdAt: string;
  /** For review comments: the file and the line of the new version it is on. */
  file?: string;
  line?: number;
}

export interface Discussion {
  thread: ThreadRef;
  title: string;
  body: string;
  author: ForgeUser;
  url: string;
  comments: ForgeComment[];
}

export interface ChangeRequest {
  number: number;
  url: string;
  title: string;
  body: string;
  state: "open" | "closed" | "merged";
  draft: boolean;
  author: ForgeUser;
  head: { branch: string; commit: string; repoPath: string };
  base: { branch: string; commit: string };
}

/** A finished CI result on a commit: a check run, a commit status, a pipeline or a job. */
export interface CheckResult {
  id: string;
  name: string;
  /** `check`: a structured check (GitHub check run, GitLab job); `status`: a plain commit status. */
  source: "check" | "status";
  commit: string;
  failed: boolean;
  conclusion: string;
  title: string | null;
  summary: string | null;
  text: string | null;
  url: string | null;
  /** Open change requests whose head is this commit, when the forge says so. */
  changeRequests: number[];
  /** Who reported it (an app slug or a user). */
  reporter: string;
}

/** Forge events in Cadre's terms; anything else is ignored (and answered with a 2xx). */
export type ForgeEvent =
  | { kind: "comment_created"; repoPath: string; thread: ThreadRef; comment: ForgeComment }
  | {
      kind: "change_request";
      action: "opened" | "updated" | "ready" | "closed" | "reopened";
      repoPath: string;
      changeRequest: ChangeRequest;
      actor: ForgeUser;
    }
  | { kind: "check_completed"; repoPath: string; check: CheckResult }
  /** Commits pushed to a branch (a branch deleted by the push is no event). */
  | { kind: "push"; repoPath: string; branch: string; commit: string; actor: ForgeUser }
  | { kind: "issue_labelled"; repoPath: string; thread: ThreadRef; label: string; title: string; url: string }
  | { kind: "ping" };

/** What a check shows while and after Cadre works. */
export type CheckState = "pending" | "success" | "neutral" | "failure";

export interface RepositoryInfo {
  defaultBranch: string;
  cloneUrl: string;
  webUrl: string;
  /** What the forge's credentials may do here. */
  canPush: boolean;
  canAdmin: boolean;
}
