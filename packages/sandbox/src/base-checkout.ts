import { createCheckout } from "@cadre/git";

/**
 * Materializes `commit` as a standalone repository at `dest` (a shallow local fetch with no
 * alternates, so nothing inside points at the mirror's files), built aside and renamed into place.
 */
export async function materializeCommit(mirrorPath: string, commit: string, dest: string): Promise<void> {
  await createCheckout(mirrorPath, commit, dest);
}
