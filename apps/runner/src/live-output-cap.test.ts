import { describe, expect, it } from "vitest";
import type { EventBody } from "@cadre/protocol";
import { LiveOutputCap } from "./live-output-cap.ts";

const out = (chunk: string, callId = "c1", stream: "stdout" | "stderr" = "stdout"): EventBody => ({
  type: "command_output",
  callId,
  stream,
  chunk,
});
const result = (callId = "c1"): EventBody => ({
  type: "tool_result",
  callId,
  name: "shell",
  output: "",
  isError: false,
});

/** Feeds events through the cap; returns what would be stored. */
function run(cap: LiveOutputCap, events: EventBody[]): EventBody[] {
  return events.flatMap((event) => cap.filter(event));
}

const liveText = (events: EventBody[], callId = "c1"): string =>
  events.map((e) => (e.type === "command_output" && e.callId === callId ? e.chunk : "")).join("");
const notices = (events: EventBody[]): string[] => events.flatMap((e) => (e.type === "notice" ? [e.message] : []));

describe("LiveOutputCap", () => {
  it("stores output within the head as it comes, with no notice", () => {
    const cap = new LiveOutputCap({ headBytes: 100, tailBytes: 10, attemptBytes: 1000 }, 0);
    const stored = run(cap, [out("hello "), out("world", "c1", "stderr"), result()]);
    expect(stored).toEqual([out("hello "), out("world", "c1", "stderr"), result()]);
  });

  it("keeps the head and the tail of a flood, and says once how much it dropped", () => {
    const cap = new LiveOutputCap({ headBytes: 1000, tailBytes: 100, attemptBytes: 1_000_000 }, 0);
    const chunks = Array.from({ length: 200 }, (_, i) => out(`${String(i).padStart(4, "0")}:${"x".repeat(495)}\n`));
    const stored = run(cap, [...chunks, result()]);
    const text = liveText(stored);
    const all = chunks.map((c) => (c.type === "command_output" ? c.chunk : "")).join("");
    expect(Buffer.byteLength(text)).toBe(1100);
    expect(text.startsWith(all.slice(0, 1000))).toBe(true);
    expect(text.endsWith(all.slice(-100))).toBe(true);
    expect(notices(stored)).toEqual([
      "output truncated: 96.8 KB of this command's 97.9 KB of output were not stored (live output keeps the first 1000 bytes and the last 100 bytes of each command).",
    ]);
    // The notice, then the tail, then the result.
    expect(stored.slice(-3).map((e) => e.type)).toEqual(["notice", "command_output", "tool_result"]);
  });

  it("other events in between do not give a command a fresh head", () => {
    const cap = new LiveOutputCap({ headBytes: 10, tailBytes: 0, attemptBytes: 1000 }, 0);
    const blocked: EventBody = { type: "network_blocked", host: "x", method: "GET", reason: "off" };
    const stored = run(cap, [out("0123456789"), blocked, out("more"), blocked, out("more"), result()]);
    expect(liveText(stored)).toBe("0123456789");
    expect(notices(stored)).toHaveLength(1);
  });

  it("stops storing live output at the attempt's limit, earlier runs counted", () => {
    const cap = new LiveOutputCap({ headBytes: 100, tailBytes: 20, attemptBytes: 250 }, 100);
    const stored = run(cap, [
      out("a".repeat(100), "c1"),
      result("c1"),
      out("b".repeat(100), "c2"),
      result("c2"),
      out("c".repeat(100), "c3"),
      result("c3"),
    ]);
    const live = stored.flatMap((e) => (e.type === "command_output" ? [e.chunk] : []));
    expect(Buffer.byteLength(live.join(""))).toBe(150);
    expect(liveText(stored, "c3")).toBe("");
    expect(notices(stored).every((m) => m.includes("the attempt's live output reached its limit of 250 bytes"))).toBe(
      true,
    );
  });

  it("never cuts a character in half", () => {
    const cap = new LiveOutputCap({ headBytes: 5, tailBytes: 5, attemptBytes: 1000 }, 0);
    const stored = run(cap, [out("ééééééééé"), result()]);
    const live = stored.flatMap((e) => (e.type === "command_output" ? [e.chunk] : []));
    expect(live).toEqual(["éé", "éé"]);
  });

  it("caps setup output per phase and ends it when the run's status changes", () => {
    const cap = new LiveOutputCap({ headBytes: 4, tailBytes: 2, attemptBytes: 1000 }, 0);
    const setup = (chunk: string): EventBody => ({ type: "setup_output", phase: "setup", chunk });
    const stored = run(cap, [setup("12345678"), { type: "status", status: "running" }]);
    expect(stored.map((e) => (e.type === "setup_output" ? e.chunk : e.type))).toEqual([
      "1234",
      "notice",
      "78",
      "status",
    ]);
    expect(notices(stored)[0]).toContain("the setup script's");
  });
});
