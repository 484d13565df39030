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

/** Statuses in which the agent works or is about to: a message sent now reaches it within the run. */
export const ACTIVE_STATUSES: readonly AttemptStatus[] = ["queued", "provisioning", "running"];
export function isActive(status: AttemptStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

/** Statuses no runner holds: finished, or waiting for input (a run ends there; nothing is kept running). */
export const PARKED_STATUSES: readonly AttemptStatus[] = [...TERMINAL_STATUSES, "waiting_for_input"];
export function isParked(status: AttemptStatus): boolean {
  return PARKED_STATUSES.includes(status);
}

/**
 * A task's status is the first of these that one of its attempts is in: a task is running while
 * any attempt runs, needs input while one waits, and has completed if any attempt completed.
 */
export const TASK_STATUS_PRECEDENCE: readonly AttemptStatus[] = [
  "running",
  "provisioning",
  "waiting_for_input",
  "queued",
  "completed",
  "failed",
  "cancelled",
];

/** What every surface (web, CLI, VS Code, MCP) calls each status: one map, so they never disagree. */
export const STATUS_LABELS: Record<AttemptStatus, string> = {
  queued: "Queued",
  provisioning: "Preparing",
  running: "Running",
  waiting_for_input: "Needs input",
  completed: "Completed",
  failed: "Failed",
  cancelled: "Cancelled",
};

/** The label of a status; a plan waiting for approval reads "Plan to review". */
export function statusLabel(status: string, waitingFor?: string | null): string {
  if (status === "waiting_for_input" && waitingFor === "plan_approval") return "Plan to review";
  return (STATUS_LABELS as Record<string, string>)[status] ?? status;
}

/** A status from its name or its label, any case, spaces or underscores ("needs input", "waiting_for_input"). */
export function parseStatus(text: string): AttemptStatus | null {
  const key = text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_");
  for (const [status, label] of Object.entries(STATUS_LABELS) as [AttemptStatus, string][])
    if (status === key || label.toLowerCase().replace(/\s+/g, "_") === key) return status;
  return null;
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
