import { z } from "zod";
import type { EventBody } from "./events.ts";
import type { RunInput } from "./runner-api.ts";
import { AttemptStatus, TERMINAL_STATUSES } from "./status.ts";

/** What happens to an attempt; each one moves it to one status, from the statuses the table allows. */
export const AttemptEvent = z.enum(["provision", "start", "wait", "complete", "fail", "cancel"]);
export type AttemptEvent = z.infer<typeof AttemptEvent>;

interface Transition {
  from: readonly AttemptStatus[];
  to: AttemptStatus;
}

const UNFINISHED: readonly AttemptStatus[] = ["queued", "provisioning", "running", "waiting_for_input"];

/**
 * The attempt state machine, (from, event → to), the one table every writer and the store obey.
 * - `provision` starts a turn: the first (from queued), a follow-up or resolve-conflicts of an
 *   attempt in any status, or the same turn again for a runner taking over.
 * - `start` is the agent running: after provisioning, on an answer or plan decision (from
 *   waiting_for_input, whose run provisions nothing new), or again for a runner taking over.
 *   Never from a finished attempt: its next run begins with `provision`.
 * - `wait` and `complete` end a run the agent was running.
 * - `fail` may end any unfinished attempt (the sandbox, the model, the runner itself failed).
 * - `cancel` ends any attempt, a finished one too when its next turn was asked for.
 * A finished attempt never goes straight back to running or to another end but cancelled.
 */
export const ATTEMPT_LIFECYCLE: Readonly<Record<AttemptEvent, Transition>> = {
  provision: { from: AttemptStatus.options, to: "provisioning" },
  start: { from: UNFINISHED, to: "running" },
  wait: { from: ["running"], to: "waiting_for_input" },
  complete: { from: ["running"], to: "completed" },
  fail: { from: UNFINISHED, to: "failed" },
  cancel: { from: AttemptStatus.options, to: "cancelled" },
};

/** The status `event` moves an attempt in `from` to, or null when the lifecycle does not allow it. */
export function nextStatus(from: AttemptStatus, event: AttemptEvent): AttemptStatus | null {
  const transition = ATTEMPT_LIFECYCLE[event];
  return transition.from.includes(from) ? transition.to : null;
}

/** The event that moves an attempt to `to` (every status but queued has exactly one). */
export function eventTo(to: AttemptStatus): AttemptEvent | null {
  return AttemptEvent.options.find((event) => ATTEMPT_LIFECYCLE[event].to === to) ?? null;
}

/** Whether an attempt in `from` may move to `to`. */
export function canTransition(from: AttemptStatus, to: AttemptStatus): boolean {
  const event = eventTo(to);
  return event !== null && nextStatus(from, event) === to;
}

/** The statuses an attempt may be in to move to `to` (the store's guard on every status it writes). */
export function statusesBefore(to: AttemptStatus): AttemptStatus[] {
  return AttemptStatus.options.filter((from) => canTransition(from, to));
}

type StatusBody = Extract<EventBody, { type: "status" }>;

/** The status event that records `event`: `{ type: "status", status: <its target> , …detail }`. */
export function statusEvent(event: AttemptEvent, detail: Omit<StatusBody, "type" | "status"> = {}): StatusBody {
  return { type: "status", status: ATTEMPT_LIFECYCLE[event].to, ...detail };
}

/**
 * Which statuses take each instruction that asks an attempt for another run (the task's prompt, a
 * follow-up, an answer, a plan decision): the server's routes and forge comments ask, the store
 * re-queues the attempt only from these, and the run then moves it through the table above.
 */
export const INPUT_TAKEN_IN: Readonly<Record<RunInput["kind"], readonly AttemptStatus[]>> = {
  prompt: ["queued"],
  followup: TERMINAL_STATUSES,
  resolve_conflicts: TERMINAL_STATUSES,
  answer: ["waiting_for_input"],
  plan_approved: ["waiting_for_input"],
  plan_rejected: ["waiting_for_input"],
};

/** Whether an attempt in `status` takes an instruction of this kind. */
export function takesInput(status: AttemptStatus, kind: RunInput["kind"]): boolean {
  return INPUT_TAKEN_IN[kind].includes(status);
}
