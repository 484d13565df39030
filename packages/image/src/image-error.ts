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

/**
 * Something wrong inside an image (its layout, a layer, a digest, a tool unpacking it), found before
 * the reference it belongs to is known: the image store wraps it into an ImageError naming that reference.
 */
export class ImageContentError extends CadreError {
  constructor(message: string) {
    super("image_failed", message);
    this.name = "ImageContentError";
  }
}
