import { ensureCliBundle } from "../../scripts/build-cli.mjs";

/**
 * Vitest global setup of the end-to-end suite: every test runs the CLI bundle users run
 * (apps/cli/dist), rebuilt here when any source is newer than it, so no test runs a stale one.
 */
export async function setup(): Promise<void> {
  await ensureCliBundle();
}
