import { CadreError } from "./errors.ts";
import type { AttemptStatus } from "./status.ts";

/**
 * A status change the attempt lifecycle does not allow (say completed → running): refused with
 * nothing stored, by the store on every append and by a runner before it sends one.
 */
export class IllegalTransitionError extends CadreError {
  readonly attemptId: string;
  constructor(attemptId: string, from: AttemptStatus | null, to: AttemptStatus) {
    super(
      "conflict",
      `attempt ${attemptId} is ${from ?? "gone"} and cannot become ${to}: a finished attempt starts again only with a new turn (send a follow-up)`,
      { from, to },
    );
    this.name = "IllegalTransitionError";
    this.attemptId = attemptId;
  }
}
