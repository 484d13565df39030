import { describe, expect, it } from "vitest";
import { ATTEMPT_TRANSITIONS, canTransition, statusesBefore } from "./attempt-lifecycle.ts";
import { AttemptStatus, TERMINAL_STATUSES } from "./status.ts";

describe("the attempt lifecycle", () => {
  it("lets an unfinished attempt move on, and a runner taking over repeat the status it finds", () => {
    expect(canTransition("queued", "provisioning")).toBe(true);
    expect(canTransition("provisioning", "running")).toBe(true);
    expect(canTransition("running", "running")).toBe(true);
    expect(canTransition("running", "waiting_for_input")).toBe(true);
    expect(canTransition("waiting_for_input", "running")).toBe(true);
    for (const end of TERMINAL_STATUSES) expect(canTransition("running", end)).toBe(true);
  });

  it("refuses a finished attempt anything but a new turn or a cancel before it runs", () => {
    for (const from of TERMINAL_STATUSES) {
      expect(canTransition(from, "running")).toBe(false);
      expect(canTransition(from, "waiting_for_input")).toBe(false);
      expect(canTransition(from, "queued")).toBe(false);
      expect(canTransition(from, "provisioning")).toBe(true);
      for (const end of TERMINAL_STATUSES) expect(canTransition(from, end)).toBe(end === "cancelled");
    }
  });

  it("names the statuses each status may follow, for every status", () => {
    expect(Object.keys(ATTEMPT_TRANSITIONS).sort()).toEqual([...AttemptStatus.options].sort());
    expect(statusesBefore("running")).toEqual(["queued", "provisioning", "running", "waiting_for_input"]);
    expect(statusesBefore("provisioning")).toEqual(AttemptStatus.options);
  });
});
