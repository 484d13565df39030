import { z } from "zod";

const Thread = z.object({ kind: z.enum(["issue", "change_request"]), number: z.number().int() });

/** What Cadre does on a forge, queued with what caused it and run (and retried) by the forge worker. */
export const JobPayloads = {
  /** React to the asking comment and, for a new task, say where to follow it. */
  acknowledge: z.object({
    taskId: z.string(),
    repoPath: z.string(),
    thread: Thread,
    comment: z.object({ id: z.string(), kind: z.enum(["description", "comment", "review_comment"]) }),
    announce: z.boolean(),
  }),
  /** An attempt ended a turn: deliver the change, post the review, or say what happened. */
  turn_end: z.object({ taskId: z.string(), turn: z.number().int(), status: z.string() }),
  /** A comment on a thread. */
  note: z.object({ repoPath: z.string(), thread: Thread, body: z.string() }),
  /** A review started: a pending "Cadre review" check on the reviewed commit. */
  review_started: z.object({ taskId: z.string(), repoPath: z.string(), commit: z.string() }),
};
export type JobKind = keyof typeof JobPayloads;

export interface ForgeJob {
  forgeId: string;
  key: string;
  kind: JobKind;
  payload: unknown;
}

export function job<K extends JobKind>(
  forgeId: string,
  key: string,
  kind: K,
  payload: z.input<(typeof JobPayloads)[K]>,
): ForgeJob {
  return { forgeId, key, kind, payload };
}

/** The name of the check reviews report on (a check run for apps, a commit status otherwise). */
export const REVIEW_CHECK = "Cadre review";
