import { describe, expect, it } from "vitest";
import {
  ATTEMPT_LIFECYCLE,
  AttemptEvent,
  canTransition,
  eventTo,
  INPUT_TAKEN_IN,
  nextStatus,
  statusEvent,
  statusesBefore,
  takesInput,
} from "./attempt-lifecycle.ts";
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

  it("ends a run by waiting or completing only while the agent runs", () => {
    for (const from of AttemptStatus.options) {
      expect(nextStatus(from, "wait")).toBe(from === "running" ? "waiting_for_input" : null);
      expect(nextStatus(from, "complete")).toBe(from === "running" ? "completed" : null);
    }
  });

  it("moves each event to one status, and no event back to queued", () => {
    expect(Object.keys(ATTEMPT_LIFECYCLE).sort()).toEqual([...AttemptEvent.options].sort());
    const targets = AttemptEvent.options.map((event) => ATTEMPT_LIFECYCLE[event].to);
    expect(new Set(targets).size).toBe(targets.length);
    for (const event of AttemptEvent.options) expect(eventTo(ATTEMPT_LIFECYCLE[event].to)).toBe(event);
    expect(eventTo("queued")).toBeNull();
    expect(statusesBefore("queued")).toEqual([]);
  });

  it("names the statuses each status may follow, for the store's guard", () => {
    expect(statusesBefore("running")).toEqual(["queued", "provisioning", "running", "waiting_for_input"]);
    expect(statusesBefore("provisioning")).toEqual(AttemptStatus.options);
    expect(statusesBefore("completed")).toEqual(["running"]);
  });

  it("builds the status event of a move", () => {
    expect(statusEvent("fail", { reason: "timeout", message: "too long" })).toEqual({
      type: "status",
      status: "failed",
      reason: "timeout",
      message: "too long",
    });
    expect(statusEvent("start")).toEqual({ type: "status", status: "running" });
  });

  it("takes a follow-up once finished and an answer or plan decision only while waiting", () => {
    for (const status of AttemptStatus.options) {
      expect(takesInput(status, "followup")).toBe(TERMINAL_STATUSES.includes(status));
      expect(takesInput(status, "answer")).toBe(status === "waiting_for_input");
      expect(takesInput(status, "plan_approved")).toBe(status === "waiting_for_input");
    }
    expect(INPUT_TAKEN_IN.resolve_conflicts).toEqual(INPUT_TAKEN_IN.followup);
  });
});
