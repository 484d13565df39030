import { z } from "zod";

export const AttemptStatus = z.enum([
  "queued",
  "provisioning",
  "running",
  "waiting_for_input",
  "completed",
  "failed",
  "cancelled",
]);
export type AttemptStatus = z.infer<typeof AttemptStatus>;

export const TERMINAL_STATUSES: readonly AttemptStatus[] = ["completed", "failed", "cancelled"];
export function isTerminal(status: AttemptStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const FailureReason = z.enum([
  "setup_failed",
  "model_error",
  "budget_exceeded",
  "stuck",
  "timeout",
  "sandbox_error",
  "internal",
]);
export type FailureReason = z.infer<typeof FailureReason>;

/** What an attempt in `waiting_for_input` waits for. */
export const WaitingFor = z.enum(["answer", "plan_approval", "permission"]);
export type WaitingFor = z.infer<typeof WaitingFor>;

export const TaskMode = z.enum(["code", "ask", "plan"]);
export type TaskMode = z.infer<typeof TaskMode>;

export const ReviewState = z.enum(["pending", "applied", "rejected"]);
export type ReviewState = z.infer<typeof ReviewState>;
