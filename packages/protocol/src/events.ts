import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";
import { PlanStep, Question } from "./plan.ts";
import { AttemptStatus, FailureReason, WaitingFor } from "./status.ts";
import { DiffStats } from "./task.ts";
import { Usage } from "./usage.ts";

/**
 * Everything an attempt did, in order. The agent emits bodies; the runner numbers them
 * (`seq`, per attempt, from 1, no gaps) and stores each one before the next step.
 */
export const EventBody = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("status"),
    status: AttemptStatus,
    waitingFor: WaitingFor.nullish(),
    reason: FailureReason.nullish(),
    message: z.string().nullish(),
  }),
  /**
   * A turn's instruction (the first prompt, a follow-up, an answer, a plan decision), or a
   * `message` the user sent while the attempt ran: it reaches the agent at its next step, within the turn.
   */
  z.object({
    type: z.literal("user_message"),
    kind: z.enum(["prompt", "followup", "answer", "plan_approved", "plan_rejected", "resolve_conflicts", "message"]),
    text: z.string(),
    /** For `message`: the queued message it delivers (marked delivered in the same transaction). */
    messageId: z.string().nullish(),
    /** For `message`: the user asked the agent to stop and wait for input. */
    stop: z.boolean().nullish(),
    /** For `message`: who sent it. */
    by: z.string().nullish(),
  }),
  z.object({ type: z.literal("turn_started"), turn: z.number().int().min(1) }),
  z.object({
    type: z.literal("turn_completed"),
    turn: z.number().int().min(1),
    commit: z.string().nullable(),
    filesChanged: z.number().int(),
    additions: z.number().int(),
    deletions: z.number().int(),
    /** The whole attempt's change against its base as of this turn (the attempt's `changes`). */
    changes: DiffStats.nullish(),
    /** The agent's closing answer, when the turn completed (the attempt's `summary`). */
    summary: z.string().nullish(),
  }),
  z.object({ type: z.literal("assistant_message"), text: z.string() }),
  z.object({ type: z.literal("reasoning"), text: z.string() }),
  z.object({ type: z.literal("tool_call"), callId: z.string(), name: z.string(), input: z.unknown() }),
  /** Live output of a running command; the full (capped) output is in its tool_result. */
  z.object({
    type: z.literal("command_output"),
    callId: z.string(),
    stream: z.enum(["stdout", "stderr"]),
    chunk: z.string(),
  }),
  z.object({
    type: z.literal("tool_result"),
    callId: z.string(),
    name: z.string(),
    output: z.string(),
    isError: z.boolean(),
    exitCode: z.number().int().nullish(),
    durationMs: z.number().nonnegative().nullish(),
    /** Files the tool changed, for edit tools. */
    files: z.array(z.string()).nullish(),
    interrupted: z.boolean().nullish(),
    /** The command was the environment's test command: its exit code gives the attempt's `testsPassed`. */
    testRun: z.boolean().nullish(),
  }),
  z.object({ type: z.literal("plan"), explanation: z.string().nullish(), steps: z.array(PlanStep) }),
  z.object({ type: z.literal("question"), callId: z.string(), questions: z.array(Question).min(1).max(3) }),
  z.object({ type: z.literal("usage"), model: z.string(), step: z.number().int(), usage: Usage }),
  z.object({
    type: z.literal("checkpoint"),
    commit: z.string(),
    turn: z.number().int(),
    /** The attempt's new base, when this checkpoint is its change replayed onto one (resolve-conflicts). */
    base: z.string().nullish(),
  }),
  z.object({
    type: z.literal("compaction"),
    tokensBefore: z.number().int(),
    tokensAfter: z.number().int(),
    summary: z.string(),
  }),
  z.object({ type: z.literal("setup_output"), phase: z.enum(["setup", "maintenance"]), chunk: z.string() }),
  z.object({ type: z.literal("network_blocked"), host: z.string(), method: z.string(), reason: z.string() }),
  z.object({
    type: z.literal("notice"),
    level: z.enum(["info", "warning", "error"]),
    message: z.string(),
    /** For the notice of the environment's test command run on the final state: whether it passed. */
    testsPassed: z.boolean().nullish(),
  }),
  z.object({ type: z.literal("expected_paths"), paths: z.array(z.string()) }),
  z.object({ type: z.literal("potential_conflict"), otherTaskId: z.string(), paths: z.array(z.string()) }),
]);
export type EventBody = z.infer<typeof EventBody>;
export type EventType = EventBody["type"];

export const EventEnvelope = z.object({
  attemptId: Id,
  taskId: Id,
  seq: z.number().int().min(1),
  turn: z.number().int().min(0),
  at: Timestamp,
});

export const Event = z.intersection(EventEnvelope, EventBody);
export type Event = z.infer<typeof EventEnvelope> & EventBody;

export type { FailureReason };
