import { z } from "zod";
import {
  AttemptStatus,
  DiffStats,
  FileStat,
  PlanStep,
  Question,
  ReviewState,
  TaskMode,
  WaitingFor,
} from "@cadre/protocol";

/*
 * What each tool returns as `structuredContent` (the same object is the text content, as JSON),
 * advertised as its `outputSchema` so clients can use results without parsing prose.
 */

export const AttemptOutput = z.object({
  index: z.number().int().min(1),
  status: AttemptStatus,
  waitingFor: WaitingFor.nullable(),
  /** The agent's closing summary (the answer of an 'ask' task). */
  summary: z.string().nullable(),
  failure: z.string().nullable(),
  testsPassed: z.boolean().nullable(),
  /** The attempt's whole change against the task's base, as of its last finished turn. */
  changes: DiffStats.nullable(),
});

export const PendingInputOutput = z.object({
  attempt: z.number().int().min(1),
  waitingFor: WaitingFor,
  questions: z.array(Question).optional(),
  plan: z.object({ explanation: z.string().nullable(), steps: z.array(PlanStep) }).optional(),
});

export const DeliveryOutput = z.object({
  kind: z.enum(["merge", "push_branch", "pulled_locally", "pull_request"]),
  branch: z.string().nullable(),
  commit: z.string().nullable(),
});

export const TaskOutput = z.object({
  id: z.string(),
  title: z.string(),
  repo: z.string(),
  baseRef: z.string(),
  mode: TaskMode,
  status: AttemptStatus,
  review: ReviewState,
  delivery: DeliveryOutput.nullable(),
  attempts: z.array(AttemptOutput),
  /** What waiting attempts asked: answer with answer_question, or approve_plan. */
  waiting: z.array(PendingInputOutput).optional(),
  note: z.string().optional(),
});
export type TaskOutput = z.infer<typeof TaskOutput>;

export const TaskRowOutput = TaskOutput.pick({
  id: true,
  title: true,
  repo: true,
  status: true,
  mode: true,
  review: true,
}).extend({
  createdAt: z.string(),
});

export const TaskListOutput = z.object({ tasks: z.array(TaskRowOutput) });

export const RepoListOutput = z.object({
  repos: z.array(z.object({ name: z.string(), id: z.string(), origin: z.string(), defaultBranch: z.string() })),
});

export const DiffOutput = z.object({
  taskId: z.string(),
  attempt: z.number().int().min(1),
  turn: z.number().int().min(1).nullable(),
  files: z.array(
    FileStat.pick({ path: true, oldPath: true, status: true, additions: true, deletions: true, binary: true }),
  ),
  filesChanged: z.number().int(),
  additions: z.number().int(),
  deletions: z.number().int(),
  /** Unified diff (git format) against the task's base, or of the one turn asked for. */
  patch: z.string(),
});

export const ApplyOutput = z.object({
  taskId: z.string(),
  attempt: z.number().int().min(1),
  applied: z.array(z.string()),
  conflicted: z.array(z.string()),
  skipped: z.array(z.string()),
});
