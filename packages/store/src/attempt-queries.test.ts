import { describe, expect, it } from "vitest";
import { CadreError, type EventBody } from "@cadre/protocol";
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
    { runnerId: "runner_t" },
  );
  return attempt.id;
}

describe("attempt queries", () => {
  it("requests a run only from the statuses the lifecycle lets take the instruction, and not twice", async () => {
    const id = await attemptIn("completed");
    expect(await store().attempts.requestRun(id, { kind: "answer", text: "x" })).toBe(false);
    expect(await store().attempts.requestRun(id, { kind: "followup", text: "more" })).toBe(true);
    expect(await store().attempts.requestRun(id, { kind: "followup", text: "again" })).toBe(false);
    expect(await store().attempts.get(id)).toMatchObject({
      needsRun: true,
      pendingInput: { kind: "followup", text: "more" },
    });
  });

  it("takes an idle attempt to end it, but never a finished one", async () => {
    expect(await store().attempts.takeIdle(await attemptIn("completed"), "server_t")).toBe(false);
    expect(await store().attempts.takeIdle(await attemptIn("queued"), "server_t")).toBe(true);
  });

  it("records a cancel request", async () => {
    const id = await attemptIn("waiting_for_input");
    await store().attempts.requestCancel(id);
    expect(await store().attempts.get(id)).toMatchObject({ cancelRequested: true });
  });

  it("projects the fields the review shows (base, head, changes, summary, tests) from the events", async () => {
    const id = await attemptIn("waiting_for_input");
    const head = "c".repeat(40);
    const base = "b".repeat(40);
    const testResult = (callId: string, exitCode: number, interrupted = false): EventBody => ({
      type: "tool_result",
      callId,
      name: "shell",
      output: "",
      isError: exitCode !== 0,
      exitCode,
      testRun: true,
      interrupted,
    });
    await store().events.append(id, 1, [testResult("c1", 1)], { runnerId: null });
    expect((await store().attempts.get(id))?.testsPassed).toBe(false);
    // An interrupted run says nothing about the tests.
    await store().events.append(id, 1, [testResult("c2", 0, true)], { runnerId: null });
    expect((await store().attempts.get(id))?.testsPassed).toBe(false);
    await store().events.append(
      id,
      1,
      [
        { type: "checkpoint", commit: head, turn: 1, base },
        {
          type: "turn_completed",
          turn: 1,
          commit: head,
          filesChanged: 1,
          additions: 2,
          deletions: 1,
          changes: { filesChanged: 1, additions: 2, deletions: 1 },
          summary: "Fixed add().",
        },
        { type: "notice", level: "info", message: "test command 'npm test' passed", testsPassed: true },
      ],
      { runnerId: null },
    );
    expect(await store().attempts.get(id)).toMatchObject({
      baseCommit: base,
      headCommit: head,
      changes: { filesChanged: 1, additions: 2, deletions: 1 },
      summary: "Fixed add().",
      testsPassed: true,
    });
    // A later turn that ends without an answer (failed, cancelled) keeps the last summary and base.
    await store().events.append(
      id,
      2,
      [
        { type: "checkpoint", commit: "d".repeat(40), turn: 2 },
        {
          type: "turn_completed",
          turn: 2,
          commit: null,
          filesChanged: 0,
          additions: 0,
          deletions: 0,
          changes: { filesChanged: 2, additions: 3, deletions: 1 },
        },
        { type: "notice", level: "info", message: "something else" },
      ],
      { runnerId: null },
    );
    expect(await store().attempts.get(id)).toMatchObject({
      baseCommit: base,
      headCommit: "d".repeat(40),
      changes: { filesChanged: 2, additions: 3, deletions: 1 },
      summary: "Fixed add().",
      testsPassed: true,
    });
  });

  it("refuses an illegal status change (completed → running) and stores nothing of the batch", async () => {
    const id = await attemptIn("completed");
    const before = await store().attempts.get(id);
    const refused = await store()
      .events.append(
        id,
        1,
        [
          { type: "assistant_message", text: "more" },
          { type: "status", status: "running" },
        ],
        { runnerId: null },
      )
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CadreError);
    expect(refused).toMatchObject({ code: "conflict" });
    expect(String((refused as CadreError).message)).toContain("is completed and cannot become running");
    expect(await store().attempts.get(id)).toMatchObject({ status: "completed", lastSeq: before?.lastSeq });
    expect((await store().events.all(id)).map((event) => event.type)).not.toContain("assistant_message");
    // A new turn is how a finished attempt starts again.
    await store().events.append(id, 2, [{ type: "status", status: "provisioning" }], { runnerId: null });
    expect((await store().attempts.get(id))?.status).toBe("provisioning");
  });
});
