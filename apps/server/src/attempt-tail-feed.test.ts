import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, EventBody } from "@cadre/protocol";
import { openStore, type Store } from "@cadre/store";
import { tempHome } from "../../../test/support/databases.ts";
import { AttemptTail, sseFrame, type TailEventSource } from "./attempt-tail.ts";
import { AttemptTailRegistry } from "./attempt-tail-registry.ts";
import { EventBus } from "./event-bus.ts";
import { newAttempt } from "./testing-attempt.ts";

function messages(label: string, count: number): EventBody[] {
  return Array.from({ length: count }, (_, i) => ({ type: "assistant_message", text: `${label} ${i}` }));
}

/** Resolves once the tail holds seq `seq`, checking at every wake-up (and at once). */
function holds(tail: AttemptTail, seq: number, wakers: Set<() => void>): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => {
      if ((tail.framesAfter(0)?.at(-1)?.seq ?? 0) >= seq) {
        wakers.delete(check);
        resolve();
      }
    };
    wakers.add(check);
    check();
  });
}

describe("an attempt tail fed directly by its own instance's appends (PGlite, real NOTIFY)", () => {
  let store: Store;
  let remove: () => Promise<void>;
  const buses: EventBus[] = [];

  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
  });
  afterAll(async () => {
    for (const bus of buses) await bus.stop();
    await store.close();
    await remove();
  });

  it("stays exact and ordered when two instances append to the same attempt", async () => {
    const attemptId = await newAttempt(store);
    // Two instances: each its own LISTEN and its own tail of the attempt, on one database.
    const instances = await Promise.all(
      ["a", "b"].map(async () => {
        const bus = new EventBus(store.db);
        await bus.start();
        buses.push(bus);
        let reads = 0;
        const source: TailEventSource = {
          list: (...args) => (reads++, store.events.list(...args)),
          newest: (...args) => (reads++, store.events.newest(...args)),
        };
        const wakers = new Set<() => void>();
        const lease = new AttemptTailRegistry(source, bus).attach(attemptId, () => {
          for (const wake of [...wakers]) wake();
        });
        await lease.tail.refresh();
        return { bus, tail: lease.tail, wakers, lease, reads: () => reads };
      }),
    );
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]];
    let last = 0;
    for (let round = 0; round < 12; round++) {
      // A writes two batches in three, B the third: A's tail is behind B's batches until it reads them.
      const writer = round % 3 === 2 ? b : a;
      await holds(writer.tail, last, writer.wakers);
      const stored = await store.events.append(attemptId, 1, messages(`round ${round}`, 1 + (round % 4)), {
        runnerId: null,
      });
      // (The batch's NOTIFY may already have started a read; the feed itself must not start one.)
      const readsBefore = writer.reads();
      writer.bus.appended(attemptId, stored);
      last = (stored.at(-1) as Event).seq;
      // Contiguous with what it held: the writer's own tail has the batch at once, without a read.
      expect(writer.tail.framesAfter(0)?.at(-1)?.seq).toBe(last);
      expect(writer.reads()).toBe(readsBefore);
    }
    const stored = (await store.events.all(attemptId)).map(sseFrame);
    for (const instance of instances) {
      await holds(instance.tail, last, instance.wakers);
      expect(instance.tail.framesAfter(0)).toEqual(stored);
      instance.lease.close();
    }
  });

  it("reads the gap from the store when a fed batch does not follow what the tail holds", async () => {
    const attemptId = await newAttempt(store);
    const bus = new EventBus(store.db); // never started: no NOTIFY, only the direct feed
    const wakers = new Set<() => void>();
    let reads = 0;
    const source: TailEventSource = {
      list: (...args) => (reads++, store.events.list(...args)),
      newest: (...args) => (reads++, store.events.newest(...args)),
    };
    const lease = new AttemptTailRegistry(source, bus).attach(attemptId, () => {
      for (const wake of [...wakers]) wake();
    });
    await lease.tail.refresh();
    await store.events.append(attemptId, 1, messages("other instance", 3), { runnerId: null });
    const mine = await store.events.append(attemptId, 1, messages("this instance", 2), { runnerId: null });
    bus.appended(attemptId, mine);
    // Seqs 4 and 5 do not follow 0: not added as they are, the tail reads 1…5 instead.
    expect(lease.tail.framesAfter(0)).toEqual([]);
    await holds(lease.tail, 5, wakers);
    expect(lease.tail.framesAfter(0)).toEqual((await store.events.all(attemptId)).map(sseFrame));
    // Now contiguous: the next batch is held at once, with no read.
    const readsBefore = reads;
    const next = await store.events.append(attemptId, 1, messages("this instance again", 2), { runnerId: null });
    bus.appended(attemptId, next);
    expect(reads).toBe(readsBefore);
    expect(lease.tail.framesAfter(0)).toEqual((await store.events.all(attemptId)).map(sseFrame));
    lease.close();
  });

  it("skips, rather than starts over at, seqs a read returns after they were fed", async () => {
    const attemptId = await newAttempt(store);
    await store.events.append(attemptId, 1, messages("before", 3), { runnerId: null });
    let gate: Promise<void> | null = null;
    const source: TailEventSource = {
      list: async (...args) => {
        await gate;
        return store.events.list(...args);
      },
      newest: (...args) => store.events.newest(...args),
    };
    const tail = new AttemptTail(attemptId, source);
    await tail.refresh();
    let open = (): void => undefined;
    gate = new Promise((resolve) => (open = resolve));
    const stored = await store.events.append(attemptId, 1, messages("fed", 3), { runnerId: null });
    const reading = tail.refresh(); // held at the gate: it will return seqs 4…6 once more
    tail.fed(stored);
    expect(tail.framesAfter(3)?.map((frame) => frame.seq)).toEqual([4, 5, 6]);
    open();
    await reading;
    expect(tail.framesAfter(0)).toEqual((await store.events.all(attemptId)).map(sseFrame));
  });
});
