import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";

const MB = 1024 * 1024;
/** 30 MB of numbered lines, then a last line the tail must keep. */
const FLOOD = "seq -f 'line %09g of a flood that would fill the event store' 1 500000; echo THE-LAST-LINE";
/** What the live view may hold of one command: its first 256 KB and its last 64 KB. */
const PER_COMMAND = 320 * 1024;

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("FLOOD") && turnStep(ctx) === 0) return shellStep(FLOOD);
  return { text: "done" };
}

const liveBytes = (events: Event[], type: "command_output" | "setup_output"): number =>
  events.reduce((sum, e) => sum + (e.type === type ? Buffer.byteLength(e.chunk) : 0), 0);
const truncationNotices = (events: Event[]): string[] =>
  events.flatMap((e) => (e.type === "notice" && e.message.startsWith("output truncated") ? [e.message] : []));

describe("live output is capped in storage", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  it("a command that floods its output stores its head and tail and one notice of what was dropped", async () => {
    const task = await h.json<TaskWithAttempts>(["task", "new", "FLOOD the log", "--repo", "calc", "--wait"]);
    expect(task.status).toBe("completed");
    const events = await h.events(task.id);
    expect(liveBytes(events, "command_output")).toBeLessThanOrEqual(PER_COMMAND);
    const notices = truncationNotices(events);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/^output truncated: \d+\.\d MB of this command's \d+\.\d MB of output were not stored/);
    const live = events.map((e) => (e.type === "command_output" ? e.chunk : "")).join("");
    expect(live).toContain("line 000000001 of a flood");
    expect(live.trimEnd().endsWith("THE-LAST-LINE")).toBe(true);
    const result = events.find((e) => e.type === "tool_result");
    expect(result?.type === "tool_result" && result.output).toContain("THE-LAST-LINE");
  });

  it("a setup script that floods its output is capped the same way", async () => {
    await h.json(["env", "create", "flood", "--repo", "calc", "--setup", `${FLOOD.replace("flood", "setup flood")}`]);
    const task = await h.json<TaskWithAttempts>(["task", "new", "quiet", "--repo", "calc", "--env", "flood", "--wait"]);
    expect(task.status).toBe("completed");
    const events = await h.events(task.id);
    expect(liveBytes(events, "setup_output")).toBeLessThanOrEqual(PER_COMMAND);
    expect(liveBytes(events, "setup_output")).toBeGreaterThan(MB / 8);
    expect(truncationNotices(events)).toEqual([expect.stringContaining("of the setup script's")]);
  });
});
