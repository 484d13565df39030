import { z } from "zod";
import { Id } from "./ids.ts";

/** A waiting attempt and its place in the queue (1 = claimed next). */
export const QueueEntry = z.object({
  attemptId: Id,
  taskId: Id,
  repoId: Id,
  priority: z.number().int(),
  position: z.number().int().min(1),
});
export type QueueEntry = z.infer<typeof QueueEntry>;

/** Task priority: higher runs first; 0 is the default. */
export const Priority = z
  .number()
  .int()
  .min(-10, "priority must be between -10 and 10")
  .max(10, "priority must be between -10 and 10");
