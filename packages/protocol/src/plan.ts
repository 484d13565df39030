import { z } from "zod";

export const PlanStep = z.strictObject({
  step: z.string().min(1),
  status: z.enum(["pending", "in_progress", "completed"]),
});
export type PlanStep = z.infer<typeof PlanStep>;

export const Question = z.strictObject({
  question: z.string().min(1),
  /** Two or three suggested answers; free text is always allowed. */
  options: z.array(z.string().min(1)).min(2).max(3),
});
export type Question = z.infer<typeof Question>;
