import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import type { Event } from "@cadre/protocol";
import { startScriptedModel, type ScriptedModel } from "../test/support/scripted-model/index.ts";
import { createFixtureRepo } from "../test/support/fixture-repo.ts";
import { startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../test/support/cadre-process.ts";
import { postgresAvailable, tempHome } from "../test/support/databases.ts";
import { Cluster } from "../test/e2e/scale/cluster.ts";
import { formatTable, percentile, type BenchTable } from "./lib/table.ts";

const STEPS = 5;
const SUBSCRIBERS = 100;

/** Five model replies per task: four shell steps, then the final answer. */
function fiveStepScript() {
  return [
    ...Array.from({ length: STEPS - 1 }, (_, i) => ({
      toolCalls: [{ name: "shell", input: { command: `echo ${i} > f${i}.txt` } }],
    })),
    { text: "Done." },
  ];
}

interface Deployment {
  label: string;
  clients: CadreClient[];
  /** Server process ids whose memory is reported. */
  serverPids: number[];
  close: () => Promise<void>;
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Result {
  tasksPerMin: number;
  q50: number;
  q95: number;
  eventsPerSec: number;
  sse50: number;
  sse95: number;
  rssMb: number;
  failed: number;
}

/** Submits `count` tasks through every instance, follows 100 of them over SSE, waits for all to finish. */
async function drive(d: Deployment, count: number): Promise<Result> {
  const [first] = d.clients as [CadreClient];
  const peakRss = new Map<number, number>();
  const sampler = setInterval(() => {
    for (const pid of d.serverPids) void rssMb(pid).then((mb) => peakRss.set(pid, Math.max(peakRss.get(pid) ?? 0, mb)));
  }, 500);
  const sseLatencies: number[] = [];
  const ac = new AbortController();
  const followers: Promise<void>[] = [];
  const ids: string[] = [];
  const t0 = performance.now();
  const startedAtMs = Date.now();
  let next = 0;
  const submit = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const client = d.clients[i % d.clients.length] as CadreClient;
      const task = await client.call("createTask", { body: { prompt: `load task ${i}`, repo: "calc" } });
      ids.push(task.id);
      if (i < SUBSCRIBERS) {
        const attemptId = task.attempts[0]!.id;
        followers.push(
          (async () => {
            for await (const e of streamAttemptEvents(client, attemptId, 0, { signal: ac.signal })) {
              sseLatencies.push(Date.now() - Date.parse((e as Event).at));
              if (e.type === "status" && ["completed", "failed", "cancelled"].includes(e.status)) return;
            }
          })().catch(() => undefined),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, () => submit()));
  // The harness's own waiting is cheap (one list every 2 s, not every 250 ms, on a server being measured);
  // the run's end is the last attempt's stored finish, so the poll interval does not lengthen it.
  for (;;) {
    const tasks = (await first.call("listTasks", { query: { limit: 1000 } })).items.filter((t) => ids.includes(t.id));
    if (tasks.filter((t) => ["completed", "failed", "cancelled"].includes(t.status)).length === count) break;
    if (performance.now() - t0 > 60 * 60_000) throw new Error("the load did not finish within an hour");
    await new Promise((r) => setTimeout(r, 2000));
  }
  clearInterval(sampler);
  await Promise.race([Promise.all(followers), new Promise((r) => setTimeout(r, 10_000))]);
  ac.abort();

  const queueToStart: number[] = [];
  let events = 0;
  let failed = 0;
  let finishedAtMs = startedAtMs;
  for (const id of ids) {
    const t = await first.call("getTask", { params: { id } });
    for (const a of t.attempts) {
      if (a.finishedAt) finishedAtMs = Math.max(finishedAtMs, Date.parse(a.finishedAt));
      if (a.startedAt) queueToStart.push(Date.parse(a.startedAt) - Date.parse(a.createdAt));
      events += (await first.call("listEvents", { params: { id: a.id }, query: { limit: 1 } })).lastSeq;
      if (a.status !== "completed") failed++;
    }
  }
  const elapsed = finishedAtMs - startedAtMs;
  return {
    tasksPerMin: count / (elapsed / 60_000),
    q50: percentile(queueToStart, 50),
    q95: percentile(queueToStart, 95),
    eventsPerSec: events / (elapsed / 1000),
    sse50: percentile(sseLatencies, 50),
    sse95: percentile(sseLatencies, 95),
    rssMb: [...peakRss.values()].reduce((a, b) => Math.max(a, b), 0),
    failed,
  };
}

/** Runners that reach the servers only over HTTP(S): runner tokens, own homes and caches, no database URL. */
async function runnersOverHttp(model: ScriptedModel, repoPath: string): Promise<Deployment> {
  const cluster = await Cluster.create(model.url, { CADRE_LEASE_MS: "30000" });
  const servers = [await cluster.startServer(), await cluster.startServer()];
  for (let i = 1; i <= 4; i++) await cluster.startRunner(`bench-${i}`, 8);
  await servers[0]!.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
  return {
    label: "runners over HTTP: PostgreSQL, 2 server instances, 4 runners × 8 slots",
    clients: servers.map((s) => s.client),
    serverPids: servers.map((s) => s.child.pid as number),
    close: () => cluster.close(),
  };
}

async function embedded(model: ScriptedModel, repoPath: string): Promise<Deployment> {
  const { home, remove } = await tempHome("cadre-bench-");
  await writeScriptedConfig(home, model.url);
  const server: CadreServeProcess = await startCadreServe({
    home,
    slots: 8,
    env: { CADRE_TASKS_PER_MINUTE: "100000", CADRE_LEASE_MS: "30000" },
  });
  await server.client.call("createRepo", { body: { origin: repoPath, name: "calc" } });
  return {
    label: "embedded: one process, PGlite, 8 slots",
    clients: [server.client],
    serverPids: [server.child.pid as number],
    close: async () => {
      await server.stop();
      await remove();
    },
  };
}

/**
 * Load: `count` scripted tasks of five steps through the scale-out deployment (runners over HTTP:
 * the only kind since runners lost their database access; its events, checkpoints and git go
 * through the servers) and through the embedded single process, the baseline measured in the
 * same run. `npm run bench` uses 500 (CADRE_BENCH_TASKS, or `tsx bench/load.ts N`, sets another count).
 */
export async function benchLoad(count = Number(process.env.CADRE_BENCH_TASKS ?? 500)): Promise<BenchTable[]> {
  const model = await startScriptedModel({ script: fiveStepScript(), recordBodies: false });
  const { home, remove } = await tempHome("cadre-bench-repo-");
  const repoPath = join(home, "calc");
  await createFixtureRepo(repoPath);
  const rows: (string | number)[][] = [];
  const notes: string[] = [
    `${count} tasks × ${STEPS} steps each; SSE latency = receipt time − the event's stored time, over ${SUBSCRIBERS} subscribers (one per task, spread over the instances); memory = peak RSS of one server process`,
  ];
  try {
    // CADRE_BENCH_LOAD_SETUPS=scale-out runs only that one (bench/perf-table.ts needs no more).
    const only = process.env.CADRE_BENCH_LOAD_SETUPS;
    const setups = [...(postgresAvailable() ? [runnersOverHttp] : []), ...(only === "scale-out" ? [] : [embedded])];
    if (!postgresAvailable())
      notes.push("runners over HTTP not run: set CADRE_TEST_DATABASE_URL to a PostgreSQL server");
    for (const setup of setups) {
      model.setScript(fiveStepScript(), { resetLanes: true });
      const d = await setup(model, repoPath);
      try {
        const r = await drive(d, count);
        rows.push([d.label, r.tasksPerMin, r.q50, r.q95, r.eventsPerSec, r.sse50, r.sse95, r.rssMb, r.failed]);
      } finally {
        await d.close();
      }
    }
  } finally {
    await model.close();
    await remove();
  }
  return [
    {
      title: "Load: scripted tasks through runners over HTTP vs the embedded single process",
      columns: [
        "deployment",
        "tasks/min",
        "queue→start p50 ms",
        "p95 ms",
        "events/s",
        "SSE p50 ms",
        "SSE p95 ms",
        "server RSS MB",
        "not completed",
      ],
      rows,
      notes,
    },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const n = process.argv[2] ? Number(process.argv[2]) : undefined;
  for (const t of await benchLoad(n)) console.log(formatTable(t));
  process.exit(0);
}
