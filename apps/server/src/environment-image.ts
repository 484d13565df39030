import { realpath } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CadreError, DEVCONTAINER_IMAGE, parseImageReference } from "@cadre/protocol";
import { ImageStore } from "@cadre/image";
import type { Principal } from "./principal.ts";
import { isInside, LOCAL_REPO_ROOTS, localRoots } from "./repo-origin-policy.ts";
import type { ServerContext } from "./server-context.ts";

const CHECK_TIMEOUT_MS = 60_000;
const stores = new Map<string, ImageStore>();

/**
 * A local image is a tree of the server's files the sandbox will see whole, so it follows the
 * rule for local repositories: never inside the Cadre home; a member's only under the roots the
 * operator configured (CADRE_LOCAL_REPO_ROOTS); an admin's anywhere else.
 */
async function checkLocalPath(ctx: ServerContext, principal: Principal, image: string, path: string): Promise<void> {
  const real = await realpath(path).catch(() => resolve(path));
  const home = await realpath(ctx.home).catch(() => resolve(ctx.home));
  if (isInside(real, home))
    throw new CadreError("forbidden", `image ${image}: ${real} is inside the Cadre home; keep image files elsewhere`);
  if (principal.role === "admin") return;
  const roots = await localRoots(ctx.env);
  if (!roots.some((root) => isInside(real, root)))
    throw new CadreError(
      "forbidden",
      `image ${image}: only an admin names an image file on the server, or a member under ${LOCAL_REPO_ROOTS}${roots.length ? ` (${roots.join(", ")})` : ""}; use a registry reference or ask an admin`,
    );
}

/**
 * Refuses an environment whose image cannot be had: a missing file, an unknown tag, a registry
 * that cannot be reached or refuses the credentials (checked from this machine; runners pull
 * and verify again when they build the setup layer). `devcontainer` is read per task instead.
 */
export async function checkEnvironmentImage(
  ctx: ServerContext,
  principal: Principal,
  image: string | null,
  secrets: Record<string, string | null>,
): Promise<void> {
  if (image === null || image === DEVCONTAINER_IMAGE) return;
  const ref = parseImageReference(image);
  if (ref.transport !== "docker") await checkLocalPath(ctx, principal, image, ref.path);
  const root = join(ctx.home, "sandboxes", "images");
  let store = stores.get(root);
  if (!store) stores.set(root, (store = new ImageStore(root)));
  const plain = Object.fromEntries(
    Object.entries(secrets).filter((entry): entry is [string, string] => entry[1] !== null),
  );
  await store.check(image, { secrets: plain, timeoutMs: CHECK_TIMEOUT_MS });
}
