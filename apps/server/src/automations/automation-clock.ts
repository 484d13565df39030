import { readFileSync } from "node:fs";

/**
 * "Now" for schedules. `CADRE_AUTOMATION_CLOCK_FILE` (tests only) names a file holding an ISO
 * time that every instance reads as now, so a test moves time for all of them at once.
 */
export function automationNow(env: NodeJS.ProcessEnv): Date {
  const file = env.CADRE_AUTOMATION_CLOCK_FILE;
  if (!file) return new Date();
  try {
    const at = new Date(readFileSync(file, "utf8").trim());
    return Number.isNaN(at.getTime()) ? new Date() : at;
  } catch {
    return new Date();
  }
}
