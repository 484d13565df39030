import { describe, expect, it } from "vitest";
import { checkCron, latestSlot, nextSlot } from "./schedule.ts";

describe("automation schedules (UTC cron)", () => {
  it("the latest slot is at or before now; the next is after it", () => {
    const now = new Date("2031-03-04T10:07:30.000Z");
    expect(latestSlot("*/5 * * * *", now)?.toISOString()).toBe("2031-03-04T10:05:00.000Z");
    expect(nextSlot("*/5 * * * *", now)?.toISOString()).toBe("2031-03-04T10:10:00.000Z");
    expect(latestSlot("*/5 * * * *", new Date("2031-03-04T10:05:00.000Z"))?.toISOString()).toBe(
      "2031-03-04T10:05:00.000Z",
    );
    expect(latestSlot("0 6 * * 1-5", new Date("2031-03-09T12:00:00.000Z"))?.toISOString()).toBe(
      "2031-03-07T06:00:00.000Z",
    );
  });

  it("refuses what is not a cron expression, saying how one is written", () => {
    expect(() => checkCron("every day")).toThrow(/is not a cron expression.*five fields in UTC/);
    expect(() => checkCron("61 * * * *")).toThrow(/not a cron expression/);
    expect(() => checkCron("0 6 * * 1-5")).not.toThrow();
  });
});
