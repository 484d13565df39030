import type { Finding, ForgeKind, ForgeNouns } from "@cadre/protocol";
import type {
  ChangeRequest,
  CheckResult,
  CheckState,
  Discussion,
  ForgeComment,
  ForgeEvent,
  ForgePermission,
  ForgeUser,
  RepositoryInfo,
  ThreadRef,
} from "./forge-model.ts";

/** How Cadre signs in to a forge: a token, or an app that mints short-lived installation tokens. */
export type ForgeCredentials =
  { kind: "token"; token: string } | { kind: "app"; appId: string; privateKey: string; installationId: number };

/** A connected forge as Cadre stores it, with its secrets decrypted. */
export interface ForgeConnection {
  name: string;
  apiUrl: string;
  webUrl: string;
  credentials: ForgeCredentials;
  /** Pace writes as the forge asks of busy clients (GitHub: one write a second); rate-limit answers are honoured either way. */
  pacing: boolean;
  log?: (line: string) => void;
}

export interface NewChangeRequest {
  title: string;
  body: string;
  head: string;
  base: string;
  draft: boolean;
}

export interface NewCheck {
  commit: string;
  name: string;
  state: CheckState;
  title: string;
  summary: string;
  detailsUrl?: string;
}

/** What the forge says happened since `since`, for Cadre instances webhooks cannot reach. */
export interface PollRequest {
  repoPath: string;
  since: Date;
  /** Heads of change requests Cadre watches for failed checks. */
  heads: { commit: string; changeRequest: number }[];
}

/** One forge, connected: everything Cadre asks of it, in Cadre's terms. */
export interface ForgeClient {
  /** Who Cadre is on the forge (its own comments never start work). */
  whoami(): Promise<ForgeUser>;
  repository(repoPath: string): Promise<RepositoryInfo>;
  permission(repoPath: string, login: string): Promise<ForgePermission>;
  discussion(repoPath: string, thread: ThreadRef): Promise<Discussion>;
  changeRequest(repoPath: string, number: number): Promise<ChangeRequest>;
  /** The open change request from `branch`, if there is one. */
  findChangeRequest(repoPath: string, branch: string): Promise<ChangeRequest | null>;
  openChangeRequest(repoPath: string, request: NewChangeRequest): Promise<ChangeRequest>;
  updateChangeRequest(repoPath: string, number: number, change: { title?: string; body?: string }): Promise<void>;
  comment(repoPath: string, thread: ThreadRef, body: string): Promise<{ id: string; url: string }>;
  /** A quick "seen it" on the comment that asked for work (a reaction where the forge has them). */
  acknowledge(repoPath: string, thread: ThreadRef, comment: ForgeComment): Promise<void>;
  /** Inline comments already on a change request (so a re-review does not repeat them). */
  reviewComments(
    repoPath: string,
    number: number,
  ): Promise<{ file: string; line: number | null; body: string; author: string }[]>;
  /** A review with inline findings on changed lines; findings off the diff go into its summary. */
  postReview(
    repoPath: string,
    number: number,
    review: { commit: string; summary: string; findings: Finding[] },
  ): Promise<{ url: string; inline: number }>;
  /**
   * A check on a commit: a structured check where the credentials may create one, else a commit
   * status. With `id` (from an earlier call) the same check is updated.
   */
  setCheck(repoPath: string, check: NewCheck & { id?: string }): Promise<{ kind: "check" | "status"; id: string }>;
  /** The failing job's log, where the forge offers one. */
  checkLog(repoPath: string, check: CheckResult): Promise<string | null>;
  /** Adds Cadre's webhook to the repository when the credentials may. */
  ensureWebhook(repoPath: string, url: string, secret: string): Promise<"created" | "exists" | "not_allowed">;
  /** Username and password for git over HTTPS; the password is short-lived for apps. */
  gitCredentials(): Promise<{ username: string; password: string }>;
  poll(request: PollRequest): Promise<ForgeEvent[]>;
}

/** A verified webhook delivery: its forge-given id and event name. */
export type VerifiedWebhook = { ok: true; deliveryId: string; event: string } | { ok: false; reason: string };

/** What one kind of forge (github, gitlab, gitea) provides; each is a file set of its own. */
export interface ForgeAdapter {
  readonly kind: ForgeKind;
  /** The forge's product name for messages ("GitHub"). */
  readonly title: string;
  /** What the forge calls a change request and how it writes a reference to one ("merge request", `!4`). */
  readonly nouns: ForgeNouns;
  connect(connection: ForgeConnection): ForgeClient;
  /** Authenticates a webhook delivery from its headers and raw body (constant-time compare). */
  verifyWebhook(headers: Record<string, string | undefined>, rawBody: string, secret: string): Promise<VerifiedWebhook>;
  /** The delivery's events in Cadre's terms (empty when Cadre does not handle it). */
  parseWebhook(event: string, payload: unknown): ForgeEvent[];
  /** `owner/name` from a clone URL on this forge, or null. */
  repoPathFromUrl(url: string): string | null;
  /** Header names that carry the delivery id and the event name (for logs). */
  readonly deliveryHeader: string;
  /** The ref a change request's head is fetched from in its base repository (GitHub: refs/pull/N/head). */
  changeRequestRef(number: number): string;
  /** Where people and git reach the forge, from its API URL, when `--web-url` is not given. */
  webUrlFor(apiUrl: string): string;
  /** Whether writes are paced by default for this API URL (a hosted forge that asks it of busy clients). */
  pacedByDefault(apiUrl: string): boolean;
  /** Whether `poll` can find what webhooks would say (for servers webhooks cannot reach). */
  readonly canPoll: boolean;
}
