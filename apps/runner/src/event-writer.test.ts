import { describe, expect, it } from "vitest";
import type { AppendEventsBody, EventBody } from "@cadre/protocol";
import type { RunnerCallInput, RunnerTransport } from "./runner-transport.ts";
import { EventWriter } from "./event-writer.ts";

/** A transport that records each append (one request = one transaction) and can be made to fail. */
function recordingTransport(fail = false) {
  const writes: { turn: number; bodies: EventBody[] }[] = [];
  const transport: RunnerTransport = {
    register: async () => ({ runnerId: "runner-1", session: "", leaseMs: 30_000 }),
    modelSettings: (settings) => settings,
    async call(name, input) {
      await new Promise((resolve) => setImmediate(resolve));
      if (fail) throw new Error("database gone");
      if (name !== "appendEvents") throw new Error(`unexpected call ${name}`);
      const body = (input as RunnerCallInput<"appendEvents">).body as AppendEventsBody;
      writes.push({ turn: body.turn, bodies: body.events });
      return { lastSeq: writes.reduce((n, w) => n + w.bodies.length, 0) } as never;
    },
  };
  return { writes, transport };
}

const notice = (message: string): EventBody => ({ type: "notice", level: "info", message });

describe("EventWriter", () => {
  it("stores events emitted together in one write, in order, and later ones in the next", async () => {
    const { transport, writes } = recordingTransport();
    const writer = new EventWriter({
      transport,
      attemptId: "att-1",
      seq: { last: 0 },
      turn: 1,
      redact: (text) => text,
    });
    await Promise.all([writer.emit(notice("a")), writer.emit(notice("b")), writer.emit(notice("c"))]);
    await writer.emit(notice("d"));
    expect(writes.map((w) => w.bodies.map((b) => (b.type === "notice" ? b.message : b.type)))).toEqual([
      ["a", "b", "c"],
      ["d"],
    ]);
  });

  it("rejects every event of a failed write and every one after it", async () => {
    const { transport } = recordingTransport(true);
    const writer = new EventWriter({
      transport,
      attemptId: "att-1",
      seq: { last: 0 },
      turn: 1,
      redact: (text) => text,
    });
    const results = await Promise.allSettled([writer.emit(notice("a")), writer.emit(notice("b"))]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    await expect(writer.emit(notice("c"))).rejects.toThrow(/database gone/);
  });
});
