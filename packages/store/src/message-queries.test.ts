import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "./store.ts";
import { tempHome } from "../../../test/support/databases.ts";

describe("messages to running attempts (PGlite)", () => {
  let store: Store;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
  });
  afterAll(async () => {
    await store.close();
    await remove();
  });

  async function runningAttempt(): Promise<string> {
    const repo =
      (await store.repos.findByName("demo")) ??
      (await store.repos.create({ name: "demo", origin: "/tmp/demo", defaultBranch: "main" }));
    const taskId = await store.tasks.create({
      title: "fix",
      prompt: "fix the bug",
      repoId: repo.id,
      baseRef: "main",
      baseCommit: "a".repeat(40),
      environmentId: null,
      attemptCount: 1,
      mode: "code",
      model: "openai/test",
      createdBy: "admin",
    });
    let claimed = await store.queue.claim("runner_a", 60_000);
    while (claimed && claimed.taskId !== taskId) claimed = await store.queue.claim("runner_a", 60_000);
    const id = claimed!.id;
    await store.events.append(
      id,
      1,
      [
        { type: "status", status: "running" },
        { type: "turn_started", turn: 1 },
        { type: "user_message", kind: "prompt", text: "fix the bug" },
      ],
      { runnerId: "runner_a" },
    );
    return id;
  }

  it("queues for a running attempt; the delivering event marks it delivered in the same write", async () => {
    const id = await runningAttempt();
    const sent = await store.messages.add({ attemptId: id, text: "use tabs", stop: false, createdBy: "admin" });
    expect(sent).toMatchObject({ text: "use tabs", deliveredSeq: null });
    expect((await store.messages.pending(id)).map((m) => m.id)).toEqual([sent!.id]);
    const [event] = await store.events.append(
      id,
      1,
      [{ type: "user_message", kind: "message", text: "use tabs", messageId: sent!.id }],
      { runnerId: "runner_a" },
    );
    expect(await store.messages.pending(id)).toEqual([]);
    // Delivering a message is not a new instruction: the attempt keeps its turn.
    expect((await store.attempts.turns(id)).map((t) => t.prompt)).toEqual(["fix the bug"]);
    expect(event?.seq).toBe(4);
  });

  it("refuses a message once the attempt has ended or waits for an answer", async () => {
    const id = await runningAttempt();
    await store.events.append(id, 1, [{ type: "status", status: "waiting_for_input", waitingFor: "answer" }], {
      runnerId: "runner_a",
    });
    expect(await store.messages.add({ attemptId: id, text: "x", stop: false, createdBy: "admin" })).toBeNull();
    // Re-queued by an answer: it is about to run again, so a message waits for that run.
    expect(await store.attempts.requestRun(id, { kind: "answer", text: "yes" })).toBe(true);
    expect(await store.messages.add({ attemptId: id, text: "x", stop: false, createdBy: "admin" })).not.toBeNull();
  });

  it("a message left when the run completed starts a follow-up turn with its text", async () => {
    const id = await runningAttempt();
    await store.messages.add({ attemptId: id, text: "also the README", stop: false, createdBy: "admin" });
    await store.messages.add({ attemptId: id, text: "", stop: true, createdBy: "admin" });
    await store.events.append(id, 1, [{ type: "status", status: "completed" }], { runnerId: "runner_a" });
    expect(await store.messages.followUpLeftovers(id)).toBe(2);
    const attempt = await store.attempts.get(id);
    expect(attempt).toMatchObject({ needsRun: true, pendingInput: { kind: "followup", text: "also the README" } });
    expect(await store.messages.pending(id)).toEqual([]);
    expect(await store.messages.followUpLeftovers(id)).toBe(0);
  });
});
