import { z } from "zod";
import { BranchName, Id, Timestamp } from "./ids.ts";
import { TaskMode } from "./status.ts";

export const AutomationName = z
  .string()
  .min(1)
  .max(60)
  .regex(
    /^[a-z0-9][a-z0-9._-]*$/,
    "an automation name may contain lowercase letters, digits, '.', '_' and '-', and must start with a letter or digit",
  );

/** Forge events an automation can start on, in Cadre's terms (every forge adapter speaks them). */
export const AutomationEventKind = z.enum(["push", "change_request_opened", "check_failed", "issue_labelled", "fire"]);
export type AutomationEventKind = z.infer<typeof AutomationEventKind>;

/** A label as forges allow them: no control characters. */
const Label = z
  .string()
  .min(1)
  .max(100)
  .refine((s) => !/\p{Cc}/u.test(s), "a label may not contain control characters");

/** Five cron fields (or six with seconds); the server checks it with its cron parser. */
const CronText = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((s) => !/\p{Cc}/u.test(s), "a schedule may not contain control characters");

export const AutomationTrigger = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("schedule"), cron: CronText }),
  z.strictObject({
    kind: z.literal("event"),
    event: AutomationEventKind,
    /** push: only this branch (any branch when left out). */
    branch: BranchName.optional(),
    /** issue_labelled: only this label (required for it). */
    label: Label.optional(),
  }),
]);
export type AutomationTrigger = z.infer<typeof AutomationTrigger>;

/** What happens to a run's change: a change request on the repo's forge, a pushed branch, or a review left open. */
export const AutomationDeliver = z.enum(["pr", "branch", "none"]);
export type AutomationDeliver = z.infer<typeof AutomationDeliver>;

/** `delivering`: the task ended and its change is being delivered (a pull request, a branch). */
export const AutomationRunState = z.enum(["running", "delivering", "succeeded", "failed"]);

export const AutomationRun = z.object({
  id: Id,
  automationId: Id,
  /** What started it: the schedule's slot, a forge event, or a call of its fire URL. */
  trigger: z.enum(["schedule", "event", "fire"]),
  /** The slot's time, the event ("push to main at 1a2b3c"), or the caller's text, in a line. */
  detail: z.string(),
  taskId: Id.nullable(),
  state: AutomationRunState,
  error: z.string().nullable(),
  /** What became of a finished run's change ("pushed as cadre/…", "left for review"). */
  outcome: z.string().nullable(),
  createdAt: Timestamp,
  finishedAt: Timestamp.nullable(),
});
export type AutomationRun = z.infer<typeof AutomationRun>;

export const Automation = z.object({
  id: Id,
  name: AutomationName,
  repoId: Id,
  repoName: z.string(),
  environmentId: Id.nullable(),
  prompt: z.string(),
  mode: TaskMode,
  deliver: AutomationDeliver,
  trigger: AutomationTrigger,
  state: z.enum(["active", "paused"]),
  /** Why it is paused: by whom, or after how many failures in a row. */
  pausedReason: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  /** The schedule's next slot (null unless an active schedule). */
  nextRunAt: Timestamp.nullable(),
  fireUrl: z.string(),
  createdBy: z.string(),
  createdAt: Timestamp,
  /** The latest runs, newest first. */
  lastRuns: z.array(AutomationRun),
});
export type Automation = z.infer<typeof Automation>;

export const CreateAutomation = z.strictObject({
  name: AutomationName,
  /** Repo id or name. */
  repo: z.string().min(1).max(100),
  trigger: AutomationTrigger,
  prompt: z.string().trim().min(1, "the prompt may not be empty").max(100_000),
  /** Environment id or name; left out, the repo's own environment (when it has exactly one). */
  environment: z.string().min(1).max(100).optional(),
  mode: TaskMode.default("code"),
  deliver: AutomationDeliver.default("none"),
});
export type CreateAutomation = z.input<typeof CreateAutomation>;

/** The fire token is shown here once and never again (it is stored hashed). */
export const CreatedAutomation = Automation.extend({ fireToken: z.string() });
export type CreatedAutomation = z.infer<typeof CreatedAutomation>;

export const FireAutomation = z.strictObject({
  /** Added to the prompt (an alert's description, a script's note). */
  text: z.string().max(20_000).optional(),
});

export const FireAnswer = z.object({ ok: z.literal(true), run: AutomationRun });

/** A task started by an automation. */
export const AutomationTaskOrigin = z.object({
  kind: z.literal("automation"),
  automationId: Id,
  name: z.string(),
  trigger: z.enum(["schedule", "event", "fire"]),
  detail: z.string(),
});
export type AutomationTaskOrigin = z.infer<typeof AutomationTaskOrigin>;
