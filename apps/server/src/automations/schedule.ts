import { CronExpressionParser } from "cron-parser";
import { CadreError } from "@cadre/protocol";

/** Cron times are UTC, whatever the server's zone, so every instance agrees on a slot. */
const ZONE = "UTC";

/** Refuses a schedule the cron parser cannot read, saying how one is written. */
export function checkCron(cron: string): void {
  try {
    CronExpressionParser.parse(cron, { tz: ZONE, strict: false });
  } catch (error) {
    throw new CadreError(
      "bad_request",
      `the schedule '${cron}' is not a cron expression (${(error as Error).message}): write five fields in UTC, e.g. "0 6 * * 1-5" for 06:00 on weekdays`,
    );
  }
}

/** The latest slot at or before `now` (null when the expression has none). */
export function latestSlot(cron: string, now: Date): Date | null {
  try {
    const expression = CronExpressionParser.parse(cron, { tz: ZONE, currentDate: new Date(now.getTime() + 1) });
    return expression.prev().toDate();
  } catch {
    return null;
  }
}

/** The first slot after `now`. */
export function nextSlot(cron: string, now: Date): Date | null {
  try {
    return CronExpressionParser.parse(cron, { tz: ZONE, currentDate: now }).next().toDate();
  } catch {
    return null;
  }
}
