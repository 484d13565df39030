import { describe, expect, it } from "vitest";
import { eventTrigger } from "./automation-commands.ts";

describe("cadre automation add --on", () => {
  it("reads each event in the CLI's words", () => {
    expect(eventTrigger("push")).toEqual({ kind: "event", event: "push" });
    expect(eventTrigger("push:release/1.x")).toEqual({ kind: "event", event: "push", branch: "release/1.x" });
    expect(eventTrigger("pr-opened")).toEqual({ kind: "event", event: "change_request_opened" });
    expect(eventTrigger("check-failed")).toEqual({ kind: "event", event: "check_failed" });
    expect(eventTrigger("label:needs fix")).toEqual({ kind: "event", event: "issue_labelled", label: "needs fix" });
    expect(eventTrigger("fire")).toEqual({ kind: "event", event: "fire" });
  });

  it("refuses an unknown event and a label without its name, listing what it takes", () => {
    expect(() => eventTrigger("merged")).toThrow(/push\[:<branch>\], pr-opened, check-failed, label:<label>, fire/);
    expect(() => eventTrigger("label")).toThrow(/--on label:<label> names the label/);
    expect(() => eventTrigger("fire:now")).toThrow(/not an event Cadre knows/);
  });
});
