import { join } from "node:path";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import { isTerminal } from "@cadre/protocol";
import type { ScriptedModel } from "../../test/support/scripted-model/index.ts";
import { createFixtureRepo } from "../../test/support/fixture-repo.ts";
import { writeScriptedConfig } from "../../test/support/cadre-process.ts";
import { tempHome } from "../../test/support/databases.ts";
import { allEvents, ECHOES, echoScript, now, perStep, runCodex, STEPS, type RequestStamp } from "../agent-vs-codex.ts";
import { median } from "../lib/table.ts";
import { cliOf, startServe, timeSpawn, treeRssMb, type Checkout, type ServeProcess } from "./checkout-processes.ts";

/** Every figure of the table for one checkout, with the baselines measured alongside it. */
export interface CheckoutFigures {
  help: number;
  nodeStart: number;
  list: number;
  curl: number;
  task: number | null;
  codexTask: number | null;
  step: number | null;
  codexStep: number | null;
  exec: number | null;
  bareSpawn: number;
  endOfTurn: number | null;
  idleRssMb: number;
  /** Measured apart (measureSse), after every checkout's other rows. */
  sseP95: number | null;
  problems: string[];
}

export interface MeasureContext {
  model: ScriptedModel;
  codex: { bin: string; home: string } | null;
  runs: number;
}

const PROMPT = "Run the steps you are given.";
/** How long a fresh server is left alone before its memory is read. */
const SETTLE_MS = 5_000;

const nodeStart = (): Promise<number> => timeSpawn(process.execPath, ["-e", "0"]).then((run) => run.ms);
const bareSpawn = (): Promise<number> => timeSpawn("bash", ["-c", "true"]).then((run) => run.ms);
/** Per step: (last model request − first) / (requests − 1), for a run that made all 20. */
function stepMs(stamps: RequestStamp[]): number | null {
  const first = stamps[0]?.at;
  const last = stamps[stamps.length - 1]?.at;
  return stamps.length === STEPS && first !== undefined && last !== undefined ? (last - first) / (STEPS - 1) : null;
}

const medianOrNull = (values: number[]): number | null => (values.length ? median(values) : null);

function checked(label: string, run: { code: number | null; stderr: string }): void {
  if (run.code !== 0) throw new Error(`${label} exited ${String(run.code)}: ${run.stderr.trim().slice(-500)}`);
}

/** `cadre --help` against `node -e 0`, interleaved. */
async function measureHelp(checkout: Checkout, runs: number): Promise<{ help: number[]; node: number[] }> {
  const help: number[] = [];
  const node: number[] = [];
  for (let index = 0; index < runs + 1; index++) {
    const nodeMs = await nodeStart();
    const run = await timeSpawn(process.execPath, [cliOf(checkout), "--help"]);
    checked("cadre --help", run);
    // The first round warms the page cache (and builds nothing: the bundle was built before).
    if (index === 0) continue;
    node.push(nodeMs);
    help.push(run.ms);
  }
  return { help, node };
}

/** `cadre task list --json` against `curl` of the same route, interleaved. */
async function measureList(checkout: Checkout, serve: ServeProcess, runs: number) {
  const env = { ...process.env, CADRE_URL: serve.url, CADRE_TOKEN: serve.token };
  const list: number[] = [];
  const curl: number[] = [];
  for (let index = 0; index < runs + 1; index++) {
    const cli = await timeSpawn(process.execPath, [cliOf(checkout), "task", "list", "--json"], { env });
    checked("cadre task list --json", cli);
    const http = await timeSpawn("curl", [
      "-sf",
      "-o",
      "/dev/null",
      "-H",
      `Authorization: Bearer ${serve.token}`,
      `${serve.url}/api/v1/tasks`,
    ]);
    checked("curl /api/v1/tasks", http);
    if (index === 0) continue;
    list.push(cli.ms);
    curl.push(http.ms);
  }
  return { list, curl };
}

interface TaskRuns {
  task: number[];
  step: number[];
  exec: number[];
  codexTask: number[];
  codexStep: number[];
  problems: string[];
}

/** The 20-step echo task through `cadre task new --wait`, interleaved with `codex exec` on the same script. */
async function measureTasks(checkout: Checkout, serve: ServeProcess, context: MeasureContext, scratch: string) {
  const api = new CadreClient({ baseUrl: serve.url, token: serve.token });
  const env = { ...process.env, CADRE_URL: serve.url, CADRE_TOKEN: serve.token };
  const runs: TaskRuns = { task: [], step: [], exec: [], codexTask: [], codexStep: [], problems: [] };
  for (let index = 0; index < context.runs; index++) {
    let stamps: RequestStamp[] = [];
    context.model.setScript(echoScript(stamps), { resetLanes: true });
    const cli = await timeSpawn(
      process.execPath,
      [cliOf(checkout), "task", "new", "--repo", "calc", "--wait", PROMPT],
      {
        env,
        cwd: scratch,
      },
    );
    const [task] = (await api.call("listTasks", { query: { limit: 1 } })).items;
    const attempt = task ? (await api.call("getTask", { params: { id: task.id } })).attempts[0] : undefined;
    const events = attempt ? await allEvents(api, attempt.id) : [];
    const results = events.flatMap((event) =>
      event.type === "tool_result" && event.name === "shell" && /^step \d+$/m.test(event.output) ? [event] : [],
    );
    const step = stepMs(stamps);
    if (cli.code !== 0 || results.length !== ECHOES || step === null) {
      runs.problems.push(
        `${checkout.label} task run ${index + 1}: exit ${String(cli.code)}, ${results.length} echoes, ${stamps.length} model requests (left out)`,
      );
    } else {
      runs.task.push(cli.ms);
      runs.step.push(step);
      runs.exec.push(
        median(results.flatMap((result) => (typeof result.durationMs === "number" ? [result.durationMs] : []))),
      );
    }
    if (!context.codex) continue;
    const repo = join(scratch, `codex-${index}`);
    await createFixtureRepo(repo);
    stamps = [];
    context.model.setScript(echoScript(stamps), { resetLanes: true });
    const codex = await runCodex(context.codex.bin, context.codex.home, repo, stamps);
    const codexStep = perStep(codex);
    if (codex.problem || codexStep === null) runs.problems.push(`codex run ${index + 1}: ${codex.problem ?? "short"}`);
    else {
      runs.codexTask.push(codex.wallMs);
      runs.codexStep.push(codexStep);
    }
  }
  return runs;
}

/** A one-step task (the model answers at once, nothing changes): its answer's arrival → the attempt's final status. */
async function measureEndOfTurn(serve: ServeProcess, context: MeasureContext): Promise<number[]> {
  const api = new CadreClient({ baseUrl: serve.url, token: serve.token });
  const ends: number[] = [];
  for (let index = 0; index < context.runs + 2; index++) {
    let answeredAt = 0;
    context.model.setScript(
      () => {
        answeredAt = now();
        return { text: "Nothing needs to change." };
      },
      { resetLanes: true },
    );
    const task = await api.call("createTask", { body: { prompt: "Is anything to do?", repo: "calc" } });
    const attempt = task.attempts[0];
    if (!attempt) throw new Error("createTask returned no attempt");
    for await (const event of streamAttemptEvents(api, attempt.id, 0)) {
      if (event.type !== "status" || !isTerminal(event.status)) continue;
      if (event.status === "completed" && answeredAt > 0) ends.push(Date.parse(event.at) - answeredAt);
      break;
    }
  }
  return ends;
}

/** The checkout's own `bench/load.ts` (500 tasks, scale-out only) in a process of its own; its SSE p95. */
export async function measureSse(checkout: Checkout, tasks: number): Promise<{ p95: number | null; problem?: string }> {
  if (tasks === 0) return { p95: null, problem: "SSE load not run (CADRE_BENCH_SSE_TASKS=0)" };
  if (!process.env.CADRE_TEST_DATABASE_URL)
    return { p95: null, problem: "SSE load not run: no CADRE_TEST_DATABASE_URL" };
  const tsx = join(checkout.root, "node_modules", ".bin", "tsx");
  const run = await timeSpawn(tsx, ["bench/load.ts", String(tasks)], {
    cwd: checkout.root,
    env: { ...process.env, CADRE_BENCH_LOAD_SETUPS: "scale-out" },
  });
  // Older checkouts call the row "scale-out"; since runners reach the servers over HTTP only, "runners over HTTP".
  const row = run.stdout.split("\n").find((line) => /^(scale-out|runners over HTTP)/.test(line));
  const p95 = row ? Number(row.split(/\s{2,}/)[6]) : Number.NaN;
  return Number.isFinite(p95)
    ? { p95 }
    : { p95: null, problem: `${checkout.label} load: no scale-out row (${run.stderr.trim().slice(-300)})` };
}

/** Every row of the table for one checkout: its CLI, its `cadre serve`, its load benchmark. */
export async function measureCheckout(checkout: Checkout, context: MeasureContext): Promise<CheckoutFigures> {
  const { home: scratch, remove } = await tempHome("cadre-bench-perf-");
  const home = join(scratch, "home");
  await writeScriptedConfig(home, context.model.url);
  await createFixtureRepo(join(scratch, "calc"));
  const { help, node } = await measureHelp(checkout, context.runs * 2);
  const serve = await startServe(checkout, home);
  try {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idleRssMb = await treeRssMb(serve.pid);
    const api = new CadreClient({ baseUrl: serve.url, token: serve.token });
    await api.call("createRepo", { body: { origin: join(scratch, "calc"), name: "calc" } });
    const { list, curl } = await measureList(checkout, serve, context.runs * 2);
    const tasks = await measureTasks(checkout, serve, context, scratch);
    const spawns: number[] = [];
    for (let index = 0; index < 20; index++) spawns.push(await bareSpawn());
    const ends = await measureEndOfTurn(serve, context);
    return {
      help: median(help),
      nodeStart: median(node),
      list: median(list),
      curl: median(curl),
      task: medianOrNull(tasks.task),
      codexTask: medianOrNull(tasks.codexTask),
      step: medianOrNull(tasks.step),
      codexStep: medianOrNull(tasks.codexStep),
      exec: medianOrNull(tasks.exec),
      bareSpawn: median(spawns),
      endOfTurn: medianOrNull(ends),
      idleRssMb,
      sseP95: null,
      problems: tasks.problems,
    };
  } finally {
    await serve.stop();
    await remove();
  }
}
