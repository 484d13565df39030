import { describe, expect, it } from "vitest";
import type { EventBody } from "@cadre/protocol";
import { EventWriter } from "./event-writer.ts";

/** A store that records each append (one write = one transaction) and can be made to fail. */
function recordingStore(fail = false) {
  const writes: { turn: number; bodies: EventBody[] }[] = [];
  return {
    writes,
    store: {
      events: {
        append: async (_attemptId: string, turn: number, bodies: EventBody[]) => {
          await new Promise((resolve) => setImmediate(resolve));
          if (fail) throw new Error("database gone");
          writes.push({ turn, bodies });
          return [];
        },
      },
    },
  };
}

const notice = (message: string): EventBody => ({ type: "notice", level: "info", message });

describe("EventWriter", () => {
  it("stores events emitted together in one write, in order, and later ones in the next", async () => {
    const { store, writes } = recordingStore();
    const writer = new EventWriter(store, "att-1", "runner-1", 1, (text) => text);
    await Promise.all([writer.emit(notice("a")), writer.emit(notice("b")), writer.emit(notice("c"))]);
    await writer.emit(notice("d"));
    expect(writes.map((w) => w.bodies.map((b) => (b.type === "notice" ? b.message : b.type)))).toEqual([
      ["a", "b", "c"],
      ["d"],
    ]);
  });

  it("rejects every event of a failed write and every one after it", async () => {
    const { store } = recordingStore(true);
    const writer = new EventWriter(store, "att-1", "runner-1", 1, (text) => text);
    const results = await Promise.allSettled([writer.emit(notice("a")), writer.emit(notice("b"))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await expect(writer.emit(notice("c"))).rejects.toThrow(/database gone/);
  });
});
