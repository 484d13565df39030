import { z } from "zod";
import { Id } from "./ids.ts";

export const ConflictPair = z.object({
  /** A task id, or `target` for the target branch's head. */
  a: z.string(),
  b: z.string(),
  clean: z.boolean(),
  paths: z.array(z.string()),
});

export const ConflictMatrix = z.object({
  repoId: Id,
  target: z.string(),
  targetCommit: z.string(),
  tasks: z.array(z.object({ taskId: Id, attemptId: Id, title: z.string() })),
  pairs: z.array(ConflictPair),
  computedAt: z.string(),
});
export type ConflictMatrix = z.infer<typeof ConflictMatrix>;
