import { CadreError } from "./errors.ts";

/**
 * A runner wrote (events, a checkpoint, a result) for an attempt whose lease it no longer holds:
 * another runner took it over, or the runner's token was revoked. The runner stops the attempt.
 */
export class LeaseLostError extends CadreError {
  readonly attemptId: string;
  constructor(attemptId: string) {
    super(
      "lease_lost",
      `attempt ${attemptId} is no longer held by this runner (its lease expired and another runner took it over, or the runner's token was revoked): stop working on it`,
    );
    this.name = "LeaseLostError";
    this.attemptId = attemptId;
  }
}
