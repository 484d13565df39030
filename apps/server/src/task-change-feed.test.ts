import { describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import { TaskChangeFeed } from "./task-change-feed.ts";

/** A bus with just task notifications, delivered when the test says. */
function fakeBus() {
  const listeners = new Set<(taskId: string) => void>();
  return {
    onTask(listener: (taskId: string) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    notify: (taskId: string) => listeners.forEach((l) => l(taskId)),
    get listening() {
      return listeners.size;
    },
  };
}

/** A store read that answers with the task's current version, held until `release` is called. */
function gatedReader() {
  const versions = new Map<string, number>();
  const held: (() => void)[] = [];
  let reads = 0;
  return {
    read: async (taskId: string): Promise<TaskWithAttempts | null> => {
      reads++;
      await new Promise<void>((resolve) => held.push(resolve));
      return { id: taskId, title: `v${versions.get(taskId) ?? 0}`, repoId: "repo_a" } as TaskWithAttempts;
    },
    bump: (taskId: string) => versions.set(taskId, (versions.get(taskId) ?? 0) + 1),
    release: async () => {
      for (const resolve of held.splice(0)) resolve();
      await new Promise((r) => setImmediate(r));
    },
    reads: () => reads,
  };
}

describe("the /tasks/stream change feed", () => {
  it("reads a changed task once for all connections and hands each the newest state", async () => {
    const bus = fakeBus();
    const reader = gatedReader();
    const feed = new TaskChangeFeed(bus, reader.read);
    const received = Array.from({ length: 20 }, () => [] as string[]);
    const offs = received.map((seen) => feed.subscribe((task) => seen.push(`${task.id}:${task.title}`)));
    expect(bus.listening).toBe(1);

    reader.bump("tsk_1");
    bus.notify("tsk_1");
    expect(reader.reads()).toBe(1);
    // Two more changes while the read runs: one more read after it, of the newest state.
    reader.bump("tsk_1");
    bus.notify("tsk_1");
    reader.bump("tsk_1");
    bus.notify("tsk_1");
    expect(reader.reads()).toBe(1);
    await reader.release();
    expect(reader.reads()).toBe(2);
    await reader.release();
    expect(reader.reads()).toBe(2);
    for (const seen of received) expect(seen).toEqual(["tsk_1:v3", "tsk_1:v3"]);

    // Different tasks are read side by side.
    bus.notify("tsk_2");
    bus.notify("tsk_3");
    expect(reader.reads()).toBe(4);
    await reader.release();
    for (const seen of received) expect(seen.slice(2).sort()).toEqual(["tsk_2:v0", "tsk_3:v0"]);

    for (const off of offs) off();
    expect(bus.listening).toBe(0);
  });
});
