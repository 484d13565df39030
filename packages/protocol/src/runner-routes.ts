import { z } from "zod";
import { Id } from "./ids.ts";
import type { RouteDef } from "./route-definition.ts";
import {
  AppendEventsBody,
  AttemptEvents,
  AttemptInbox,
  AttemptTurns,
  HeartbeatBody,
  HeartbeatResult,
  Notice,
  PollBody,
  PollResult,
  RecordAttemptBody,
  RegisterRunnerBody,
  RunContext,
  RunnerSession,
} from "./runner-api.ts";

/**
 * Who may call a runner route: `token` takes a runner token (only to register a process),
 * `session` the session secret a registration returned. No user token is accepted on any of them,
 * and no runner credential on any user route.
 */
export type RunnerAuth = "token" | "session";

export interface RunnerRouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> extends RouteDef<P, Q, B, R> {
  auth: RunnerAuth;
}

function runnerRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  def: RunnerRouteDef<P, Q, B, R>,
): RunnerRouteDef<P, Q, B, R> {
  return def;
}

const None = z.strictObject({});
const AttemptParam = z.strictObject({ id: Id });
const Ok = z.object({ ok: z.literal(true) });

/**
 * The runner API, under /api/v1/runner: what a runner process does for the attempts it holds.
 * Every attempt route is fenced: it answers lease_lost (409) unless the calling runner holds it.
 */
export const runnerRoutes = {
  registerRunner: runnerRoute({
    auth: "token",
    method: "POST",
    path: "/runner/sessions",
    params: None,
    query: None,
    body: RegisterRunnerBody,
    response: RunnerSession,
  }),
  /** Long poll: claims up to `free` attempts, or waits until there is one (or a cancellation). */
  pollRunner: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/poll",
    params: None,
    query: None,
    body: PollBody,
    response: PollResult,
  }),
  heartbeatRunner: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/heartbeat",
    params: None,
    query: None,
    body: HeartbeatBody,
    response: HeartbeatResult,
  }),
  /** The process stops: its registration ends (give attempts back with releaseAttempt first). */
  leaveRunner: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/leave",
    params: None,
    query: None,
    body: z.undefined(),
    response: Ok,
  }),
  attemptContext: runnerRoute({
    auth: "session",
    method: "GET",
    path: "/runner/attempts/:id/context",
    params: AttemptParam,
    query: None,
    body: z.undefined(),
    response: RunContext,
  }),
  /** The attempt's whole event log, from which the agent rebuilds its conversation. */
  attemptHistory: runnerRoute({
    auth: "session",
    method: "GET",
    path: "/runner/attempts/:id/history",
    params: AttemptParam,
    query: None,
    body: z.undefined(),
    response: AttemptEvents,
  }),
  attemptTurns: runnerRoute({
    auth: "session",
    method: "GET",
    path: "/runner/attempts/:id/turns",
    params: AttemptParam,
    query: None,
    body: z.undefined(),
    response: AttemptTurns,
  }),
  /** Messages sent to the running attempt and not yet delivered. */
  attemptInbox: runnerRoute({
    auth: "session",
    method: "GET",
    path: "/runner/attempts/:id/inbox",
    params: AttemptParam,
    query: None,
    body: z.undefined(),
    response: AttemptInbox,
  }),
  appendEvents: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/attempts/:id/events",
    params: AttemptParam,
    query: None,
    body: AppendEventsBody,
    response: z.object({ lastSeq: z.number().int() }),
  }),
  recordAttempt: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/attempts/:id/record",
    params: AttemptParam,
    query: None,
    body: RecordAttemptBody,
    response: Ok,
  }),
  /** A finished turn of a change delivered as a branch: the server pushes it there as one more commit. */
  pushFollowUp: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/attempts/:id/follow-up",
    params: AttemptParam,
    query: None,
    body: z.strictObject({ commit: z.string().regex(/^[0-9a-f]{40}$/) }),
    response: z.object({ notice: Notice.nullable() }),
  }),
  /** Gives the attempt back to the queue (the runner is stopping): another runner resumes it. */
  releaseAttempt: runnerRoute({
    auth: "session",
    method: "POST",
    path: "/runner/attempts/:id/release",
    params: AttemptParam,
    query: None,
    body: z.undefined(),
    response: Ok,
  }),
};

export type RunnerRoutes = typeof runnerRoutes;
export type RunnerRouteName = keyof RunnerRoutes;
/** The routes a registered runner calls with its session (all but registration). */
export type RunnerSessionRouteName = Exclude<RunnerRouteName, "registerRunner">;

/** Where a runner reads and pushes a repository over git's smart HTTP (relative to the server's URL). */
export function runnerGitPath(repoId: string): string {
  return `/git/${repoId}.git`;
}
