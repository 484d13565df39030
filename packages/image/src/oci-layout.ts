import { ImageContentError } from "./image-error.ts";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { digestHex } from "./chain-id.ts";
import {
  layerCompression,
  OciConfig,
  OciIndex,
  OciManifest,
  type Descriptor,
  type LayerCompression,
} from "./oci-schemas.ts";

export interface LayoutLayer {
  descriptor: Descriptor;
  compression: LayerCompression;
  blobPath: string;
}

/** The one image of an OCI layout skopeo wrote: its manifest, config and layer blobs. */
export interface LayoutImage {
  manifest: OciManifest;
  config: OciConfig;
  layers: LayoutLayer[];
}

function blobPath(layout: string, digest: string): string {
  return join(layout, "blobs", digest.split(":")[0] as string, digestHex(digest));
}

export async function readLayout(layout: string): Promise<LayoutImage> {
  const index = OciIndex.parse(JSON.parse(await readFile(join(layout, "index.json"), "utf8")));
  const entry = index.manifests[0];
  if (!entry || index.manifests.length !== 1)
    throw new ImageContentError(`expected one manifest in the pulled layout, found ${index.manifests.length}`);
  const manifest = OciManifest.parse(JSON.parse(await readFile(blobPath(layout, entry.digest), "utf8")));
  const config = OciConfig.parse(JSON.parse(await readFile(blobPath(layout, manifest.config.digest), "utf8")));
  if (config.rootfs.diff_ids.length !== manifest.layers.length)
    throw new ImageContentError(
      `the manifest has ${manifest.layers.length} layers but the config names ${config.rootfs.diff_ids.length} diff_ids`,
    );
  const layers = manifest.layers.map((descriptor) => {
    const compression = layerCompression(descriptor.mediaType);
    if (!compression)
      throw new ImageContentError(
        `layer ${descriptor.digest} has media type ${descriptor.mediaType}, which is not a layer tar`,
      );
    return { descriptor, compression, blobPath: blobPath(layout, descriptor.digest) };
  });
  return { manifest, config, layers };
}
