import { CadreError } from "@cadre/protocol";

/** Anything wrong with an environment's image; the message names the reference and the cause. */
export class ImageError extends CadreError {
  readonly reference: string;
  constructor(reference: string, cause: string) {
    super("image_failed", `image ${reference}: ${cause}`, { reference });
    this.name = "ImageError";
    this.reference = reference;
  }
}
