import { CadreError } from "@cadre/protocol";

/** A patch that cannot be parsed or applied; the message is written for the model to act on. */
export class PatchError extends CadreError {
  constructor(message: string) {
    super("bad_request", message);
    this.name = "PatchError";
  }
}
