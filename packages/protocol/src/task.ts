import { z } from "zod";
import { Priority } from "./queue.ts";
import { GitRef, Id, ModelName, Timestamp } from "./ids.ts";
import { AttemptStatus, FailureReason, ReviewState, TaskMode, WaitingFor } from "./status.ts";
import { Usage } from "./usage.ts";
import { Delivery, PartialPull } from "./delivery.ts";
import { TaskOrigin } from "./forge.ts";

export const Review = z.object({
  state: ReviewState,
  attemptId: Id.nullable(),
  delivery: Delivery.nullable(),
  by: z.string().nullable(),
  at: Timestamp.nullable(),
  reason: z.string().nullable(),
  /** The latest pull of part of the change into a local working tree; it does not end the review. */
  pulled: PartialPull.nullable(),
});
export type Review = z.infer<typeof Review>;

export const DiffStats = z.object({
  filesChanged: z.number().int(),
  additions: z.number().int(),
  deletions: z.number().int(),
});
export type DiffStats = z.infer<typeof DiffStats>;

export const PotentialConflict = z.object({ taskId: z.string(), title: z.string(), paths: z.array(z.string()) });
export type PotentialConflict = z.infer<typeof PotentialConflict>;

export const Attempt = z.object({
  id: Id,
  taskId: Id,
  /** 1-based position within the task (best-of-N). */
  index: z.number().int().min(1),
  status: AttemptStatus,
  waitingFor: WaitingFor.nullable(),
  failureReason: FailureReason.nullable(),
  failureMessage: z.string().nullable(),
  summary: z.string().nullable(),
  /** Commit on refs/cadre/tasks/<task>/<attempt> holding the latest checkpoint. */
  headCommit: z.string().nullable(),
  /** The attempt's own base when it was rebased (resolve-conflicts); null means the task's base. */
  baseCommit: z.string().nullable(),
  /** Whole-attempt change against its base, as of the last finished turn. */
  changes: DiffStats.nullable(),
  turnCount: z.number().int().nonnegative(),
  runnerId: z.string().nullable(),
  testsPassed: z.boolean().nullable(),
  /** The environment's image as this attempt ran on it: the reference and the manifest digest it was pinned to. */
  image: z.object({ reference: z.string(), digest: z.string() }).nullable(),
  usage: Usage,
  lastSeq: z.number().int().nonnegative(),
  /**
   * A run was asked for (the first, a follow-up, an answer, a plan decision) and has not finished or
   * parked again. Until a runner takes it the status still reads as before: a waiter that sees a
   * finished status with this set keeps waiting.
   */
  runRequested: z.boolean(),
  createdAt: Timestamp,
  startedAt: Timestamp.nullable(),
  finishedAt: Timestamp.nullable(),
});
export type Attempt = z.infer<typeof Attempt>;

export const Task = z.object({
  id: Id,
  title: z.string(),
  prompt: z.string(),
  repoId: Id,
  repoName: z.string(),
  baseRef: z.string(),
  baseCommit: z.string(),
  environmentId: Id.nullable(),
  /** The environment's test command (null: none configured), whose last run gives attempts' `testsPassed`. */
  testCommand: z.string().nullable(),
  attemptCount: z.number().int().min(1).max(8),
  mode: TaskMode,
  model: z.string(),
  /** Derived from the attempts: the most advanced of them (computed in SQL by `task-queries.ts`). */
  status: AttemptStatus,
  review: Review,
  usage: Usage,
  /** Paths the task is expected to touch, stated before it started. */
  expectedPaths: z.array(z.string()),
  /** Other active tasks on the same repo and branch whose expected paths overlap, found at creation. */
  potentialConflicts: z.array(PotentialConflict),
  /** Tasks this one waits for before starting (queued behind its potential conflicts). */
  queueAfter: z.array(z.string()),
  createdBy: z.string(),
  /** The forge issue or change request that started it, or null when a person did. */
  origin: TaskOrigin.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Task = z.infer<typeof Task>;

export const TaskWithAttempts = Task.extend({ attempts: z.array(Attempt) });
export type TaskWithAttempts = z.infer<typeof TaskWithAttempts>;

export const CreateTask = z.strictObject({
  prompt: z.string().trim().min(1, "the prompt may not be empty").max(100_000),
  /** Repo id or name. */
  repo: z.string().min(1).max(100),
  baseRef: GitRef.optional(),
  /** Environment id or name; left out, the repo's own environment (when it has exactly one); null: none. */
  environment: z.string().min(1).max(100).nullable().optional(),
  attempts: z
    .number()
    .int()
    .min(1, "attempts must be between 1 and 8")
    .max(8, "attempts must be between 1 and 8")
    .default(1),
  mode: TaskMode.default("code"),
  model: ModelName.optional(),
  title: z.string().max(200).optional(),
  /** Start only after the tasks it potentially conflicts with have finished. */
  queueBehindConflicts: z.boolean().default(false),
  /** Higher runs first (-10 to 10, default 0). */
  priority: Priority.default(0),
});
export type CreateTask = z.input<typeof CreateTask>;

export const Turn = z.object({
  attemptId: Id,
  /** 1-based. */
  index: z.number().int().min(1),
  kind: z.enum(["initial", "followup", "resolve_conflicts"]),
  prompt: z.string(),
  status: z.enum(["running", "completed", "failed", "cancelled"]),
  checkpointCommit: z.string().nullable(),
  startedAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type Turn = z.infer<typeof Turn>;
