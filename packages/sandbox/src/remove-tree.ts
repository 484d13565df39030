import { chmod, readdir, rm } from "node:fs/promises";
import { join } from "node:path";

/**
 * Deletes a directory tree. overlayfs leaves mode-000 directories in its work dir that an
 * ordinary user cannot list, so permissions are opened up before a second try.
 */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
    return;
  } catch {
    await openUp(path);
  }
  await rm(path, { recursive: true, force: true });
}

async function openUp(path: string): Promise<void> {
  await chmod(path, 0o700).catch(() => undefined);
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const e of entries) if (e.isDirectory()) await openUp(join(path, e.name));
}
