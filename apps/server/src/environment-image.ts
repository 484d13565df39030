import { join } from "node:path";
import { DEVCONTAINER_IMAGE } from "@cadre/protocol";
import { ImageStore } from "@cadre/image";
import type { ServerContext } from "./server-context.ts";

const CHECK_TIMEOUT_MS = 60_000;
const stores = new Map<string, ImageStore>();

/**
 * Refuses an environment whose image cannot be had: a missing file, an unknown tag, a registry
 * that cannot be reached or refuses the credentials (checked from this machine; runners pull
 * and verify again when they build the setup layer). `devcontainer` is read per task instead.
 */
export async function checkEnvironmentImage(
  ctx: ServerContext,
  image: string | null,
  secrets: Record<string, string | null>,
): Promise<void> {
  if (image === null || image === DEVCONTAINER_IMAGE) return;
  const root = join(ctx.home, "sandboxes", "images");
  let store = stores.get(root);
  if (!store) stores.set(root, (store = new ImageStore(root)));
  const plain = Object.fromEntries(
    Object.entries(secrets).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  await store.check(image, { secrets: plain, timeoutMs: CHECK_TIMEOUT_MS });
}
