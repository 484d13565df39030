import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventBody } from "@cadre/protocol";
import { openStore, type Store } from "@cadre/store";
import { tempHome } from "../../../test/support/databases.ts";
import { sseFrame, type TailEventSource } from "./attempt-tail.ts";
import { AttemptTailRegistry } from "./attempt-tail-registry.ts";
import { EventBus } from "./event-bus.ts";
import { newAttempt } from "./testing-attempt.ts";

/** The store's own event reads, counted. */
function countedReads(store: Store): { source: TailEventSource; reads: () => number } {
  let reads = 0;
  return {
    source: {
      list: (...args) => (reads++, store.events.list(...args)),
      newest: (...args) => (reads++, store.events.newest(...args)),
    },
    reads: () => reads,
  };
}

function messages(from: number, count: number): EventBody[] {
  return Array.from({ length: count }, (_, i) => ({ type: "assistant_message", text: `message ${from + i}` }));
}

/** Resolves once `check` holds, checking after every wake-up of a stream. */
function until(check: () => boolean): { wake: () => void; reached: Promise<void> } {
  let resolve = (): void => undefined;
  const reached = new Promise<void>((r) => (resolve = r));
  return {
    wake: () => {
      if (check()) resolve();
    },
    reached,
  };
}

describe("an attempt's shared tail (PGlite, real NOTIFY)", () => {
  let store: Store;
  let bus: EventBus;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const home = await tempHome();
    remove = home.remove;
    store = await openStore({ home: home.home });
    bus = new EventBus(store.db);
    await bus.start();
  });
  afterAll(async () => {
    await bus.stop();
    await store.close();
    await remove();
  });

  it("gives every stream of an attempt the stored events as the stored frames, read once per notification", async () => {
    const attemptId = await newAttempt(store);
    await store.events.append(attemptId, 1, messages(1, 3), { runnerId: null });
    const { source, reads } = countedReads(store);
    const tails = new AttemptTailRegistry(source, bus);
    const streams = Array.from({ length: 20 }, () => until((): boolean => (tail.framesAfter(0)?.length ?? 0) >= 13));
    const leases = streams.map((stream) => tails.attach(attemptId, stream.wake));
    const tail = leases[0]!.tail;
    expect(leases.every((lease) => lease.tail === tail)).toBe(true);
    await Promise.all(leases.map((lease) => lease.tail.refresh()));
    // Twenty streams opening together: the first read, and one more for those that asked during it.
    expect(reads()).toBeLessThanOrEqual(2);
    expect(tail.framesAfter(1)?.map((frame) => frame.seq)).toEqual([2, 3]);

    const before = reads();
    await store.events.append(attemptId, 1, messages(4, 10), { runnerId: null });
    await Promise.all(streams.map((stream) => stream.reached));
    // One read for the 20 streams (a page that is not full ends it).
    expect(reads() - before).toBe(1);
    const stored = await store.events.all(attemptId);
    expect(tail.framesAfter(0)).toEqual(stored.map(sseFrame));
    expect(tail.framesAfter(13)).toEqual([]);

    for (const lease of leases) lease.close();
    expect(tails.size).toBe(0);
  });

  it("keeps only its newest events within its limits; a stream from further back is sent to the store", async () => {
    const attemptId = await newAttempt(store);
    const tails = new AttemptTailRegistry(store.events, bus, { events: 5, bytes: 1024 * 1024 });
    const stream = until((): boolean => (tail.framesAfter(29)?.length ?? 0) > 0);
    const lease = tails.attach(attemptId, stream.wake);
    const tail = lease.tail;
    await tail.refresh();
    await store.events.append(attemptId, 1, messages(1, 20), { runnerId: null });
    await tail.refresh();
    expect(tail.framesAfter(14)).toBeNull();
    expect(tail.framesAfter(15)?.map((frame) => frame.seq)).toEqual([16, 17, 18, 19, 20]);

    await store.events.append(attemptId, 1, messages(21, 10), { runnerId: null });
    await stream.reached;
    const stored = await store.events.all(attemptId);
    expect(tail.framesAfter(25)).toEqual(stored.slice(25).map(sseFrame));
    lease.close();
  });

  it("starts from the attempt's newest page when it opens on a long history", async () => {
    const attemptId = await newAttempt(store);
    await store.events.append(attemptId, 1, messages(1, 700), { runnerId: null });
    const tails = new AttemptTailRegistry(store.events, bus);
    const lease = tails.attach(attemptId, () => undefined);
    await lease.tail.refresh();
    expect(lease.tail.framesAfter(199)).toBeNull();
    expect(lease.tail.framesAfter(200)?.map((frame) => frame.seq)).toEqual(
      Array.from({ length: 500 }, (_, i) => 201 + i),
    );
    lease.close();
  });
});
