import { CadreError } from "@cadre/protocol";

/** Wraps an error thrown by the runner's emit or checkpoint so it is not mistaken for an agent failure. */
export class SinkError extends CadreError {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super("internal", "event sink failed");
    this.cause = cause;
  }
}
