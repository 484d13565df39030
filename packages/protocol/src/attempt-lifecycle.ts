import { AttemptStatus } from "./status.ts";

/**
 * The attempt state machine: for each status, the statuses that may follow it. An attempt that
 * has not finished may move to any status (a runner taking over a lost lease repeats the status
 * it finds). A finished one (completed, failed, cancelled) starts again only through a new turn,
 * which begins with `provisioning`, or is cancelled before that turn runs: never straight back to
 * `running` or to another end.
 */
const AFTER_FINISHED: readonly AttemptStatus[] = ["provisioning", "cancelled"];

export const ATTEMPT_TRANSITIONS: Readonly<Record<AttemptStatus, readonly AttemptStatus[]>> = {
  queued: AttemptStatus.options,
  provisioning: AttemptStatus.options,
  running: AttemptStatus.options,
  waiting_for_input: AttemptStatus.options,
  completed: AFTER_FINISHED,
  failed: AFTER_FINISHED,
  cancelled: AFTER_FINISHED,
};

/** Whether an attempt in `from` may move to `to`. */
export function canTransition(from: AttemptStatus, to: AttemptStatus): boolean {
  return ATTEMPT_TRANSITIONS[from].includes(to);
}

/** The statuses an attempt may be in to move to `to` (the store's guard on every status it writes). */
export function statusesBefore(to: AttemptStatus): AttemptStatus[] {
  return AttemptStatus.options.filter((from) => canTransition(from, to));
}
