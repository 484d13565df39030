import { loadavg } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { streamAttemptEvents, type CadreClient } from "@cadre/client";
import type { EventBody } from "@cadre/protocol";
import { openStore, type Store } from "@cadre/store";
import { createFixtureRepo } from "../test/support/fixture-repo.ts";
import { postgresAvailable, tempHome } from "../test/support/databases.ts";
import { Cluster } from "../test/e2e/scale/cluster.ts";
import { formatTable, percentile, type BenchTable } from "./lib/table.ts";

const ATTEMPTS = Number(process.env.CADRE_BENCH_SSE_ATTEMPTS ?? 20);
/** Streams per attempt, half on each server instance. */
const STREAMS = Number(process.env.CADRE_BENCH_SSE_STREAMS ?? 10);
const ROUNDS = 30;
const BATCH = 3;
const INTERVAL_MS = 100;

/** When each event (attempt:seq) was stored (its `at`), committed as its writer saw it, notified, received. */
interface Timings {
  at: Map<string, number>;
  committed: Map<string, number>;
  /** A batch's notification names its last seq: each event's key → that key. */
  batchOf: Map<string, string>;
  notified: Map<string, number>;
  received: { key: string; time: number }[];
}

function batch(round: number): EventBody[] {
  return Array.from({ length: BATCH }, (_, i) => ({ type: "assistant_message", text: `round ${round} part ${i}` }));
}

/** Appends like a runner does (one transaction per batch) straight to the store, so only the fan-out is measured. */
async function write(store: Store, attemptId: string, timings: Timings): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    const stored = await store.events.append(attemptId, 1, batch(round), { runnerId: null });
    const committed = Date.now();
    const last = `${attemptId}:${stored.at(-1)?.seq ?? 0}`;
    for (const event of stored) {
      timings.batchOf.set(`${attemptId}:${event.seq}`, last);
      timings.at.set(`${attemptId}:${event.seq}`, Date.parse(event.at));
      timings.committed.set(`${attemptId}:${event.seq}`, committed);
    }
    await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
  }
}

/** Follows one attempt until `lastSeq`; resolves `ready` once it has caught up with what was stored before. */
async function follow(
  client: CadreClient,
  attemptId: string,
  { startSeq, lastSeq, timings }: { startSeq: number; lastSeq: number; timings: Timings },
  ready: () => void,
): Promise<void> {
  if (startSeq === 0) ready();
  for await (const event of streamAttemptEvents(client, attemptId, 0)) {
    if (event.seq > startSeq) timings.received.push({ key: `${attemptId}:${event.seq}`, time: Date.now() });
    if (event.seq === startSeq) ready();
    if (event.seq >= lastSeq) return;
  }
}

function spread(values: number[]): [number, number] {
  return [percentile(values, 50), percentile(values, 95)];
}

/** Latencies of the stages between a stored event and its SSE clients. */
function breakdown(timings: Timings): (string | number)[][] {
  // A sample whose starting time is unknown (say a notification the probe missed) is left out, not counted as 0.
  const since = (map: Map<string, number>, key: string, time: number): number[] => {
    const from = map.get(key);
    return from === undefined ? [] : [time - from];
  };
  const tx = [...timings.committed].flatMap(([key, time]) => since(timings.at, key, time));
  const notify = [...timings.notified].flatMap(([key, time]) => since(timings.at, key, time));
  const sse = timings.received.flatMap(({ key, time }) => since(timings.at, key, time));
  const afterNotify = timings.received.flatMap(({ key, time }) =>
    since(timings.notified, timings.batchOf.get(key) ?? key, time),
  );
  const [notify50, notify95] = spread(notify);
  const row = (label: string, values: number[]) => {
    const [p50, p95] = spread(values);
    return [label, values.length, p50, p95, notify95 ? p95 / notify95 : 0];
  };
  return [
    row("append transaction (stored → committed, writer's view)", tx),
    ["bare LISTEN in another process (stored → NOTIFY received)", notify.length, notify50, notify95, 1],
    row("SSE client (stored → received)", sse),
    row("  of which server + client after the NOTIFY", afterNotify),
  ];
}

/**
 * SSE fan-out: ATTEMPTS attempts, each followed by STREAMS clients spread over two server instances
 * on one PostgreSQL; events appended in batches of BATCH every INTERVAL_MS straight to the store (as
 * the runner API does), so the fan-out is what is measured. The baseline, in the same run, is a bare
 * LISTEN on the events channel in the writing process.
 */
export async function benchSseFanout(): Promise<BenchTable[]> {
  if (!postgresAvailable()) return [];
  const load = loadavg()[0] ?? 0;
  const cluster = await Cluster.create("http://127.0.0.1:9/v1");
  const { home, remove } = await tempHome("cadre-bench-sse-");
  const timings: Timings = {
    at: new Map(),
    committed: new Map(),
    batchOf: new Map(),
    notified: new Map(),
    received: [],
  };
  let store: Store | null = null;
  try {
    const servers = [await cluster.startServer(), await cluster.startServer()];
    const clients = servers.map((server) => server.client) as [CadreClient, CadreClient];
    await createFixtureRepo(join(home, "calc"));
    await clients[0].call("createRepo", { body: { origin: join(home, "calc"), name: "calc" } });
    store = await openStore({ home, databaseUrl: cluster.databaseUrl });
    const unlisten = await store.db.listen("cadre_events", (payload) => {
      const [attemptId, seq] = payload.split(":");
      timings.notified.set(`${attemptId}:${seq}`, Date.now());
    });
    const attempts: { id: string; startSeq: number }[] = [];
    for (let i = 0; i < ATTEMPTS; i++) {
      const task = await clients[i % 2]!.call("createTask", { body: { prompt: `fan-out ${i}`, repo: "calc" } });
      const id = task.attempts[0]!.id;
      const { lastSeq } = await clients[0].call("listEvents", { params: { id }, query: { limit: 1 } });
      attempts.push({ id, startSeq: lastSeq });
    }
    const readiness: Promise<void>[] = [];
    const followers = attempts.flatMap(({ id, startSeq }) =>
      Array.from({ length: STREAMS }, (_, i) => {
        let ready = (): void => undefined;
        readiness.push(new Promise<void>((resolve) => (ready = resolve)));
        const lastSeq = startSeq + ROUNDS * BATCH;
        return follow(clients[i % 2]!, id, { startSeq, lastSeq, timings }, ready);
      }),
    );
    await Promise.all(readiness);
    await Promise.all(attempts.map(({ id }) => write(store as Store, id, timings)));
    await Promise.all(followers);
    await unlisten();
    const notes = [
      `${ATTEMPTS} attempts × ${STREAMS} streams (half on each of 2 instances); ${ROUNDS} batches of ${BATCH} events per attempt, one every ${INTERVAL_MS} ms`,
      `load average at start ${load.toFixed(1)}, at end ${(loadavg()[0] ?? 0).toFixed(1)}; "stored" is the event's own time (its transaction's start)`,
    ];
    return [
      {
        title: "SSE fan-out: where an event's latency goes, two instances on one PostgreSQL",
        columns: ["stage", "samples", "p50 ms", "p95 ms", "p95 / bare LISTEN p95"],
        rows: breakdown(timings),
        notes,
      },
    ];
  } finally {
    await store?.close();
    await cluster.close();
    await remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const table of await benchSseFanout()) console.log(formatTable(table));
  process.exit(0);
}
