import { z } from "zod";
import { AttemptMessage } from "./message.ts";
import { Limits, NetworkPolicy } from "./environment.ts";
import { Event, EventBody } from "./events.ts";
import { Id } from "./ids.ts";
import { AttemptModel, Budgets } from "./model-settings.ts";
import { RunnerName } from "./runner-tokens.ts";
import { TaskMode } from "./status.ts";
import { Attempt, Turn } from "./task.ts";

/** The instruction an attempt's next run starts with (null on the attempt: resume after a crash). */
export const RunInput = z.object({
  kind: z.enum(["prompt", "followup", "answer", "plan_approved", "plan_rejected", "resolve_conflicts"]),
  text: z.string(),
});
export type RunInput = z.infer<typeof RunInput>;

/** An attempt as its runner holds it: the attempt and what its next run starts from. */
export const HeldAttempt = Attempt.extend({
  needsRun: z.boolean(),
  pendingInput: RunInput.nullable(),
  cancelRequested: z.boolean(),
  leaseExpiresAt: z.string().nullable(),
});
export type HeldAttempt = z.infer<typeof HeldAttempt>;

export const RegisterRunnerBody = z.strictObject({
  /** Shown by `cadre runners`; defaults to the token's name on the runner's side. */
  name: RunnerName,
  slots: z.number().int().min(1).max(256),
});
export type RegisterRunnerBody = z.infer<typeof RegisterRunnerBody>;

/** A registered runner process: its id, the session secret its later calls carry, and the server's lease. */
export const RunnerSession = z.object({
  runnerId: Id,
  /** Bearer secret of this process only (never the runner token again); revoked with the token. */
  session: z.string(),
  /** How long a claim lasts without renewal; the runner heartbeats at a third of it. */
  leaseMs: z.number().int().positive(),
});
export type RunnerSession = z.infer<typeof RunnerSession>;

export const PollBody = z.strictObject({
  /** Free slots: how many attempts the runner may be given now. */
  free: z.number().int().min(0).max(256),
  /** Attempts it runs and has not yet stopped: their cancellations end the wait. */
  watch: z.array(Id).max(256).default([]),
  /** How long the server may hold the request open when there is nothing to give. */
  waitMs: z.number().int().min(0).max(60_000).default(25_000),
});
export type PollBody = z.infer<typeof PollBody>;

export const PollResult = z.object({
  claimed: z.array(HeldAttempt),
  /** Watched attempts whose cancellation was requested. */
  cancel: z.array(Id),
});
export type PollResult = z.infer<typeof PollResult>;

export const HeartbeatBody = z.strictObject({
  attempts: z.array(Id).max(256),
  /** Disk the runner's unpacked image layers take (null: not measured). */
  imageBytes: z.number().int().nonnegative().nullable().default(null),
});
export const HeartbeatResult = z.object({
  /** The attempts whose leases were renewed; any other it runs is lost and must stop. */
  held: z.array(Id),
  cancel: z.array(Id),
});
export type HeartbeatResult = z.infer<typeof HeartbeatResult>;

/** The sandbox's view of the task's environment, secrets decrypted, for the attempt its runner holds. */
export const AttemptEnvironment = z.object({
  /** Stable key of the setup-relevant content (id + updatedAt): cached setup layers are keyed by it. */
  key: z.string(),
  name: z.string().nullable(),
  setupScript: z.string(),
  maintenanceScript: z.string(),
  variables: z.record(z.string(), z.string()),
  /** Setup only; the runner redacts them from everything it stores. */
  secrets: z.record(z.string(), z.string()),
  networkPolicy: NetworkPolicy,
  limits: Limits,
  setupTtlMs: z.number().int(),
  image: z.string().nullable(),
  testCommand: z.string(),
  instructions: z.string(),
});
export type AttemptEnvironment = z.infer<typeof AttemptEnvironment>;

/** Everything one run of a held attempt needs, read once when it starts. */
export const RunContext = z.object({
  attempt: HeldAttempt,
  task: z.object({
    id: Id,
    repoId: Id,
    title: z.string(),
    mode: TaskMode,
    model: z.string(),
    baseRef: z.string(),
    baseCommit: z.string(),
  }),
  environment: AttemptEnvironment,
  model: z.discriminatedUnion("ok", [
    z.object({ ok: z.literal(true), settings: AttemptModel }),
    z.object({ ok: z.literal(false), message: z.string() }),
  ]),
  budgets: Budgets,
  /** Live output the attempt already stored in earlier runs (its cap is per attempt). */
  liveOutputBytes: z.number().int().nonnegative(),
  /** For a resolve-conflicts run: the head of the task's branch now (the server fetched its origin). */
  branchHead: z.string().nullable(),
});
export type RunContext = z.infer<typeof RunContext>;

export const AppendEventsBody = z.strictObject({
  turn: z.number().int().nonnegative(),
  /**
   * The attempt's last seq as the runner knows it: the append applies only on top of it, so a
   * request repeated after a lost answer is recognised and never stored twice.
   */
  afterSeq: z.number().int().nonnegative().nullable(),
  events: z.array(EventBody).min(1).max(1000),
});
export type AppendEventsBody = z.infer<typeof AppendEventsBody>;

/**
 * Facts a run establishes about its attempt besides its events: the image it runs on. What follows
 * the attempt's work (base, changes, summary, test result) travels in its events instead.
 */
export const RecordAttemptBody = z.strictObject({
  image: z
    .object({ reference: z.string().max(1000), digest: z.string().max(200) })
    .nullable()
    .optional(),
});
export type RecordAttemptBody = z.infer<typeof RecordAttemptBody>;

export const Notice = z.object({ level: z.enum(["info", "warning"]), message: z.string() });

export const AttemptEvents = z.object({ items: z.array(Event) });
export const AttemptTurns = z.object({ items: z.array(Turn) });
export const AttemptInbox = z.object({ items: z.array(AttemptMessage) });
