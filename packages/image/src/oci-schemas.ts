import { z } from "zod";

const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$|^sha512:[0-9a-f]{128}$/, "a sha256 or sha512 digest");

export const Descriptor = z.object({
  mediaType: z.string(),
  digest: Digest,
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type Descriptor = z.infer<typeof Descriptor>;

export const OciIndex = z.object({ manifests: z.array(Descriptor) });

export const OciManifest = z.object({
  schemaVersion: z.literal(2),
  config: Descriptor,
  layers: z.array(Descriptor),
});
export type OciManifest = z.infer<typeof OciManifest>;

/** The parts of an image configuration the sandbox uses. */
export const OciConfig = z.object({
  config: z
    .object({
      Env: z.array(z.string()).nullish(),
      WorkingDir: z.string().nullish(),
      User: z.string().nullish(),
    })
    .nullish(),
  rootfs: z.object({ type: z.literal("layers"), diff_ids: z.array(Digest) }),
});
export type OciConfig = z.infer<typeof OciConfig>;

export type LayerCompression = "gzip" | "zstd" | "none";

/** How a layer blob is compressed, from its media type (OCI and Docker names). */
export function layerCompression(mediaType: string): LayerCompression | null {
  if (/(tar\+gzip|tar\.gzip|rootfs\.diff\.tar\.gzip)$/.test(mediaType)) return "gzip";
  if (/tar\+zstd$/.test(mediaType)) return "zstd";
  if (/(layer\.v1\.tar|rootfs\.diff\.tar)$/.test(mediaType)) return "none";
  return null;
}
