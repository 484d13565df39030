import { ImageContentError } from "./image-error.ts";
import { createHash } from "node:crypto";

/**
 * OCI chain IDs: a layer's identity together with every layer under it. A layer is unpacked
 * relative to the layers below (parents are resolved through their symlinks), so its unpacked
 * form is keyed by chain, as containerd keys its snapshots; images that share a base share it.
 */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const previous = out[out.length - 1];
    out.push(
      previous === undefined ? diffId : `sha256:${createHash("sha256").update(`${previous} ${diffId}`).digest("hex")}`,
    );
  }
  return out;
}

/** A digest as a directory name: its hex part (sha256 or sha512 are never mixed within one store). */
export function digestHex(digest: string): string {
  const hex = digest.split(":")[1];
  if (!hex || !/^[0-9a-f]{64,128}$/.test(hex)) throw new ImageContentError(`not a digest: ${digest}`);
  return hex;
}
