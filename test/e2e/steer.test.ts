import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { streamAttemptEvents } from "@cadre/client";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { NormalizedRequest, ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { promptOf, shellStep } from "../support/script-helpers.ts";

const STEER = "prefer the existing helpers over a new dependency";

function userTexts(request: NormalizedRequest | null): string[] {
  return (request?.messages ?? []).filter((m) => m.role === "user").map((m) => m.text);
}

/**
 * A model that keeps working (one distinct short command per step) until the user's message
 * shows up in its conversation, then finishes; so the test can speak while it runs.
 */
function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const users = userTexts(ctx.request);
  const last = users[users.length - 1] ?? "";
  if (prompt.includes("FOLLOW")) return { text: "follow-up done" };
  if (prompt.includes("LONG"))
    return ctx.step < 15 ? shellStep(`echo long step ${ctx.step}`) : { text: "Long run done." };
  if (last.startsWith("Answer to your question")) return { text: "Carried on after the stop, as answered." };
  if (users.some((u) => u.includes(STEER))) return { text: "Finished, using the existing helpers." };
  return { ...shellStep(`echo working step ${ctx.step}`), delayMs: 150 };
}

describe("steering a running attempt", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      script,
      recordRequests: true,
      config: (url) => ({
        defaultModel: "scripted/test-model",
        providers: { scripted: { kind: "openai-responses", baseUrl: url, apiKey: "k", maxRetries: 0 } },
        budgets: { maxSteps: 2000 },
      }),
    });
  });
  afterAll(async () => h?.stop());

  /** Reads the attempt's events from the start until `until` matches one; returns them all. */
  async function eventsUntil(attemptId: string, until: (e: Event) => boolean): Promise<Event[]> {
    const seen: Event[] = [];
    for await (const e of streamAttemptEvents(h.server.client, attemptId, 0)) {
      seen.push(e);
      if (until(e)) break;
    }
    return seen;
  }

  async function startRunning(prompt: string): Promise<TaskWithAttempts> {
    const task = await h.json<TaskWithAttempts>(["task", "new", prompt, "--repo", "calc"]);
    // Speak only once the agent is at work: its first command has run.
    await eventsUntil(task.attempts[0]!.id, (e) => e.type === "tool_result");
    return task;
  }

  it("cadre say reaches the agent in its next request, and the run goes on to complete", async () => {
    const task = await startRunning("STEER: tidy the calculator");
    const said = await h.cli(["say", task.id, STEER]);
    expect(said.code, said.stderr).toBe(0);
    expect(said.stdout).toContain("before its next step");
    // Requests that reached the model before `say` returned; the one after them is "the next request".
    const before = h.model.requests.length;

    const events = await eventsUntil(task.attempts[0]!.id, (e) => e.type === "status" && e.status === "completed");
    const first = h.model.requests.findIndex((r) => userTexts(r.normalized).some((t) => t.includes(STEER)));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThanOrEqual(before);
    // In that request the message follows the last tool result: it joined the running conversation.
    const messages = h.model.requests[first]!.normalized!.messages;
    expect(messages[messages.length - 1]?.text).toContain(STEER);
    expect(messages.some((m) => m.role === "tool" || m.toolResults.length > 0)).toBe(true);

    // Within the same turn, without a stop or a new run.
    const delivered = events.find((e) => e.type === "user_message" && e.kind === "message");
    expect(delivered).toMatchObject({ kind: "message", text: STEER, by: "admin", turn: 1 });
    expect(events.filter((e) => e.type === "turn_started")).toHaveLength(1);
    const statuses = events.filter((e) => e.type === "status").map((e) => (e.type === "status" ? e.status : ""));
    expect(statuses).toEqual(["provisioning", "running", "completed"]);
    const done = await h.json<TaskWithAttempts>(["task", "show", task.id]);
    expect(done.attempts[0]?.summary).toBe("Finished, using the existing helpers.");

    // The conversation rebuilt from the events for a follow-up still holds the message.
    const followed = await h.cli(["followup", task.id, "FOLLOW: one more thing", "--wait"]);
    expect(followed.code, followed.stderr).toBe(0);
    const followRequest = h.model.requests.findLast((r) => userTexts(r.normalized).some((t) => t.includes("FOLLOW")));
    expect(userTexts(followRequest?.normalized ?? null).some((t) => t.includes(STEER))).toBe(true);

    // A finished attempt takes a follow-up, not a message: the refusal says which command to use.
    const late = await h.cli(["say", task.id, "anything else?"]);
    expect(late.code).toBe(4);
    expect(late.stderr).toContain(`cadre followup ${task.id}`);
  });

  it("'stop and ask me' stops at the next step and waits; the answer carries it on", async () => {
    const task = await startRunning("STOP: tidy the calculator");
    const attemptId = task.attempts[0]!.id;
    const said = await h.cli(["say", task.id, "--stop"]);
    expect(said.code, said.stderr).toBe(0);

    const events = await eventsUntil(attemptId, (e) => e.type === "status" && e.status === "waiting_for_input");
    const stopAt = events.findIndex((e) => e.type === "user_message" && e.kind === "message" && e.stop === true);
    expect(stopAt).toBeGreaterThan(0);
    expect(events[stopAt + 1]).toMatchObject({ type: "question" });
    // No model call after the stop: the agent did not take another step.
    expect(events.slice(stopAt).some((e) => e.type === "usage")).toBe(false);
    const shown = await h.cli(["task", "show", task.id]);
    expect(shown.stdout).toContain("You asked the agent to stop");
    expect(shown.stdout).toContain(`cadre answer ${task.id}`);

    const answered = await h.cli(["answer", task.id, "Carry on where you left off", "--wait", "--json"]);
    expect(answered.code, answered.stderr).toBe(0);
    const after = JSON.parse(answered.stdout) as TaskWithAttempts;
    expect(after.attempts[0]).toMatchObject({
      status: "completed",
      summary: "Carried on after the stop, as answered.",
    });
  });

  it("a long run leaves no MaxListenersExceededWarning in the server log", async () => {
    // Fifteen model calls on one attempt's signal: each provider request used to leave an abort listener on it.
    const done = await h.json<TaskWithAttempts>(["task", "new", "LONG: keep going", "--repo", "calc", "--wait"]);
    expect(done.attempts[0]?.summary).toBe("Long run done.");
    expect(h.server.logs()).not.toContain("MaxListenersExceededWarning");
  });

  it("a message for a task that is not running is refused with what to do instead", async () => {
    const r = await h.cli(["say", "task_doesnotexist1", "hello"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("not found");
  });
});
