import { describe, expect, it } from "vitest";
import { TERMINAL_STATUSES } from "@cadre/protocol";
import { newTask, storePerFile } from "./testing-store.ts";

const { store } = storePerFile();

async function attemptIn(status: "completed" | "waiting_for_input" | "queued"): Promise<string> {
  const { taskId } = await newTask(store());
  const [attempt] = await store().attempts.byTask(taskId);
  if (!attempt) throw new Error("the task has no attempt");
  if (status === "queued") return attempt.id;
  let claimed = await store().queue.claim("runner_t", 60_000);
  while (claimed && claimed.id !== attempt.id) claimed = await store().queue.claim("runner_t", 60_000);
  await store().events.append(
    attempt.id,
    1,
    [
      { type: "status", status: "running" },
      status === "completed"
        ? { type: "status", status: "completed" }
        : { type: "status", status: "waiting_for_input", waitingFor: "answer" },
    ],
    "runner_t",
  );
  return attempt.id;
}

describe("attempt queries", () => {
  it("requests a run only from the statuses the caller allows, and not twice", async () => {
    const id = await attemptIn("completed");
    expect(await store().attempts.requestRun(id, { kind: "answer", text: "x" }, ["waiting_for_input"])).toBe(false);
    expect(await store().attempts.requestRun(id, { kind: "followup", text: "more" }, [...TERMINAL_STATUSES])).toBe(
      true,
    );
    expect(await store().attempts.requestRun(id, { kind: "followup", text: "again" }, [...TERMINAL_STATUSES])).toBe(
      false,
    );
    expect(await store().attempts.get(id)).toMatchObject({
      needsRun: true,
      pendingInput: { kind: "followup", text: "more" },
    });
  });

  it("takes an idle attempt to end it, but never a finished one", async () => {
    expect(await store().attempts.takeIdle(await attemptIn("completed"), "server_t")).toBe(false);
    expect(await store().attempts.takeIdle(await attemptIn("queued"), "server_t")).toBe(true);
  });

  it("records a cancel request and the fields the review shows", async () => {
    const id = await attemptIn("waiting_for_input");
    await store().attempts.requestCancel(id);
    await store().attempts.setSummary(id, "Fixed add().");
    await store().attempts.setDiffStats(id, { filesChanged: 1, additions: 2, deletions: 1 });
    await store().attempts.setTestsPassed(id, true);
    expect(await store().attempts.get(id)).toMatchObject({
      cancelRequested: true,
      summary: "Fixed add().",
      testsPassed: true,
    });
  });
});
