import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Automation, CreatedAutomation, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import type { Script } from "../../support/scripted-model/index.ts";
import { until } from "../forge/forge-world.ts";

/** Runs whose prompt says [fail] fail at the model (a 400 is not retried); the rest finish at once. */
const SCRIPT: Script = ({ request }) =>
  request.messages.some((message) => message.text.includes("[fail]"))
    ? { error: { status: 400, message: "the scripted model refuses this run" } }
    : { text: "Looked into it: nothing to change." };

async function fire(
  url: string,
  token: string | null,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(token === null ? {} : { Authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("automations: the fire URL and failures in a row", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script: SCRIPT });
  }, 300_000);
  afterAll(async () => {
    await h?.stop();
  });

  it("fire with a wrong token is 401 and starts nothing; with its token it starts a task with the text", async () => {
    const alerts = await h.json<CreatedAutomation>([
      "automation",
      "add",
      "alerts",
      "--repo",
      "calc",
      "--on",
      "fire",
      "--prompt",
      "Investigate the alert.",
      "--mode",
      "ask",
    ]);
    const other = await h.json<CreatedAutomation>([
      "automation",
      "add",
      "other",
      "--repo",
      "calc",
      "--schedule",
      "0 0 1 1 *",
      "--prompt",
      "Yearly chores.",
    ]);
    expect(alerts.fireUrl).toBe(`${h.server.url}/api/v1/automations/${alerts.id}/fire`);
    expect(alerts.fireToken).toMatch(/^cadre_fire_/);
    // The token is shown once: reading the automation never returns it (nor its hash).
    const shown = await h.json<Automation>(["automation", "show", "alerts"]);
    expect(JSON.stringify(shown)).not.toContain(alerts.fireToken);
    expect(shown).not.toHaveProperty("fireToken");

    const refused = [
      await fire(alerts.fireUrl, "cadre_fire_wrongwrongwrongwrongwrongwrongwrong", { text: "x" }),
      await fire(alerts.fireUrl, null, { text: "x" }),
      await fire(alerts.fireUrl, h.server.token, { text: "x" }),
      await fire(alerts.fireUrl, `${alerts.fireToken}x`, { text: "x" }),
      await fire(other.fireUrl, alerts.fireToken, { text: "x" }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(String((refused[0]?.body.error as { message: string }).message)).toContain("fire token was refused");
    // The fire token is no user token: it reaches nothing else.
    const asUser = await fetch(`${h.server.url}/api/v1/tasks`, {
      headers: { Authorization: `Bearer ${alerts.fireToken}` },
    });
    expect(asUser.status).toBe(401);
    const noTasks = await h.server.client.call("listTasks", { query: {} });
    expect(noTasks.items).toEqual([]);

    const fired = await fire(alerts.fireUrl, alerts.fireToken, { text: "disk full on db-1" });
    expect(fired.status).toBe(202);
    const run = fired.body.run as { taskId: string; trigger: string; detail: string };
    expect(run.trigger).toBe("fire");
    expect(run.detail).toBe("fired: disk full on db-1");
    const task = await h.json<TaskWithAttempts>(["task", "show", run.taskId]);
    expect(task.prompt).toBe("Investigate the alert.\n\ndisk full on db-1");
    expect(task.mode).toBe("ask");
    expect(task.origin).toEqual({
      kind: "automation",
      automationId: alerts.id,
      name: "alerts",
      trigger: "fire",
      detail: "fired: disk full on db-1",
    });
    const shownTask = await h.cli(["task", "show", run.taskId]);
    expect(shownTask.stdout).toContain("origin:   automation alerts (fired: disk full on db-1)");

    const finished = await until("the run to end", async () => {
      const found = await h.server.client.call("getAutomation", { params: { id: "alerts" } });
      return found.lastRuns[0]?.state === "succeeded" ? found : null;
    });
    expect(finished.lastRuns.map((r) => [r.taskId, r.state, r.outcome])).toEqual([
      [run.taskId, "succeeded", "left for review"],
    ]);
    const listed = await h.cli(["automation", "list"]);
    expect(listed.stdout).toContain("alerts");
    expect(listed.stdout).toContain(run.taskId);
  });

  it("three failed runs in a row pause the automation, which says so; resume starts counting again", async () => {
    const flaky = await h.json<CreatedAutomation>([
      "automation",
      "add",
      "flaky",
      "--repo",
      "calc",
      "--on",
      "fire",
      "--prompt",
      "Do the thing that breaks. [fail]",
    ]);
    for (let round = 1; round <= 3; round++) {
      const fired = await fire(flaky.fireUrl, flaky.fireToken, { text: `round ${round}` });
      expect(fired.status).toBe(202);
      const runId = (fired.body.run as { id: string }).id;
      await until(`run ${round} to fail`, async () => {
        const found = await h.server.client.call("getAutomation", { params: { id: "flaky" } });
        return found.lastRuns.find((r) => r.id === runId)?.state === "failed";
      });
      const after = await h.server.client.call("getAutomation", { params: { id: "flaky" } });
      expect(after.consecutiveFailures).toBe(round);
      expect(after.state).toBe(round < 3 ? "active" : "paused");
    }
    const paused = await h.json<Automation>(["automation", "show", "flaky"]);
    expect(paused.pausedReason).toContain("paused after 3 failed runs in a row");
    expect(paused.pausedReason).toContain("the scripted model refuses this run");
    expect(paused.lastRuns.map((r) => r.state)).toEqual(["failed", "failed", "failed"]);
    const listed = await h.cli(["automation", "list"]);
    expect(listed.stdout).toMatch(/flaky.*PAUSED \(paused after 3 failed runs in a row/);

    // Paused: firing is refused and starts nothing.
    const refused = await fire(flaky.fireUrl, flaky.fireToken, { text: "round 4" });
    expect(refused.status).toBe(409);
    expect((await h.json<Automation>(["automation", "show", "flaky"])).lastRuns).toHaveLength(3);

    const resumed = await h.json<Automation>(["automation", "resume", "flaky"]);
    expect([resumed.state, resumed.consecutiveFailures, resumed.pausedReason]).toEqual(["active", 0, null]);
    const again = await fire(flaky.fireUrl, flaky.fireToken, { text: "after resume" });
    expect(again.status).toBe(202);

    const paused2 = await h.json<Automation>(["automation", "pause", "flaky"]);
    expect(paused2.pausedReason).toBe("paused by admin");
    expect((await h.cli(["automation", "remove", "flaky"])).code).toBe(0);
    expect((await h.cli(["automation", "show", "flaky"])).code).not.toBe(0);
  });
});
