/** A patch that cannot be parsed or applied; the message is written for the model to act on. */
export class PatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PatchError";
  }
}
