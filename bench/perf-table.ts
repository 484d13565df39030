/**
 * Issue 18's table: every row measured against its baseline in the same run, with a "goal met?"
 * column, for this checkout and — with CADRE_BENCH_BEFORE=DIR — an older checkout of Cadre with its
 * own node_modules (say the commit before a change: `git clone --shared . DIR && git -C DIR checkout
 * SHA && (cd DIR && npm ci)`). Each checkout is measured through its own processes only: its
 * `cadre` CLI, its `cadre serve` (embedded PGlite) and its own `bench/load.ts` for the SSE row.
 * CADRE_BENCH_RUNS (default 3) sets the task runs per checkout; CADRE_BENCH_SSE_TASKS (default
 * 500, 0 skips) the scale-out load, which needs CADRE_TEST_DATABASE_URL.
 * Run: npm run bench -- perf-table
 */
import { rm } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { startScriptedModel } from "../test/support/scripted-model/index.ts";
import { REPO_ROOT } from "../test/support/cadre-process.ts";
import { CODEX_VERSION, ensureCodex, makeCodexHome, writeCodexConfig } from "../test/support/codex-cli.ts";
import { echoScript } from "./agent-vs-codex.ts";
import { formatTable, type BenchTable } from "./lib/table.ts";
import type { Checkout } from "./perf/checkout-processes.ts";
import { measureCheckout, measureSse, type CheckoutFigures } from "./perf/measure-checkout.ts";

interface RowSpec {
  measure: string;
  value: (figures: CheckoutFigures) => number | null;
  baseline: (figures: CheckoutFigures) => { label: string; ms: number | null };
  goal: string;
  /** The largest value that meets the goal, from this checkout's own baselines. */
  limit: (figures: CheckoutFigures) => number | null;
  unit: string;
}

const times = (factor: number, value: number | null): number | null => (value === null ? null : factor * value);

const ROWS: RowSpec[] = [
  {
    measure: "cadre --help",
    value: (f) => f.help,
    baseline: (f) => ({ label: "node -e 0", ms: f.nodeStart }),
    goal: "≤ 3× node -e 0",
    limit: (f) => 3 * f.nodeStart,
    unit: "ms",
  },
  {
    measure: "cadre task list --json (running server)",
    value: (f) => f.list,
    baseline: (f) => ({ label: "curl of GET /api/v1/tasks", ms: f.curl }),
    goal: "≤ 4× node -e 0 + curl",
    limit: (f) => 4 * f.nodeStart + f.curl,
    unit: "ms",
  },
  {
    measure: "20-step scripted task, task new --wait",
    value: (f) => f.task,
    baseline: (f) => ({ label: `codex exec ${CODEX_VERSION}`, ms: f.codexTask }),
    goal: "≤ codex exec",
    limit: (f) => f.codexTask,
    unit: "ms",
  },
  {
    measure: "per step (same 20-step task)",
    value: (f) => f.step,
    baseline: (f) => ({ label: "codex exec per step", ms: f.codexStep }),
    goal: "≤ 0.5× codex",
    limit: (f) => times(0.5, f.codexStep),
    unit: "ms",
  },
  {
    measure: "sandbox exec of echo (Cadre's durationMs)",
    value: (f) => f.exec,
    baseline: (f) => ({ label: "bash -c true", ms: f.bareSpawn }),
    goal: "≤ bare spawn + 10 ms",
    limit: (f) => f.bareSpawn + 10,
    unit: "ms",
  },
  {
    measure: "end of a turn once the model answered (one step)",
    value: (f) => f.endOfTurn,
    baseline: () => ({ label: "—", ms: null }),
    goal: "≤ 60 ms",
    limit: () => 60,
    unit: "ms",
  },
  {
    measure: "idle cadre serve (embedded), resident memory",
    value: (f) => f.idleRssMb,
    baseline: () => ({ label: "—", ms: null }),
    goal: "≤ 300 MB",
    limit: () => 300,
    unit: "MB",
  },
  {
    measure: "SSE p95, 500-task scale-out load",
    value: (f) => f.sseP95,
    baseline: () => ({ label: "—", ms: null }),
    goal: "< 100 ms",
    // p95 is reported in whole ms: < 100 is ≤ 99.
    limit: () => 99,
    unit: "ms",
  },
];

const shown = (value: number | null, unit = ""): string =>
  value === null ? "n/a" : `${value < 10 ? value.toFixed(1) : Math.round(value)}${unit ? ` ${unit}` : ""}`;

function rowsOf(checkout: Checkout, figures: CheckoutFigures): (string | number)[][] {
  return ROWS.map((row) => {
    const value = row.value(figures);
    const baseline = row.baseline(figures);
    const limit = row.limit(figures);
    const ratio = value !== null && baseline.ms ? `${(value / baseline.ms).toFixed(2)}×` : "—";
    const met = value === null || limit === null ? "not measured" : value <= limit ? "yes" : "no";
    return [
      row.measure,
      checkout.label,
      shown(value, row.unit),
      baseline.ms === null ? baseline.label : `${baseline.label} ${shown(baseline.ms, "ms")}`,
      ratio,
      `${row.goal}${limit === null ? "" : ` (${shown(limit, row.unit)})`}`,
      met,
    ];
  });
}

const COLUMNS = ["measure", "checkout", "value", "baseline (same run)", "ratio", "goal", "goal met?"];

function tableOf(measured: { checkout: Checkout; figures: CheckoutFigures }[], notes: string[]): BenchTable {
  const byCheckout = measured.map(({ checkout, figures }) => rowsOf(checkout, figures));
  // Each measure's rows together: before, then after.
  const rows = ROWS.flatMap((_, index) =>
    byCheckout.flatMap((checkoutRows) => {
      const row = checkoutRows[index];
      return row ? [row] : [];
    }),
  );
  return { title: "Issue 18: performance against the goals", columns: COLUMNS, rows, notes };
}

function checkouts(): Checkout[] {
  const before = process.env.CADRE_BENCH_BEFORE;
  return [...(before ? [{ label: "before", root: before }] : []), { label: "after (this checkout)", root: REPO_ROOT }];
}

export async function benchPerfTable(): Promise<BenchTable[]> {
  const runs = Number(process.env.CADRE_BENCH_RUNS ?? 3);
  const sseTasks = Number(process.env.CADRE_BENCH_SSE_TASKS ?? 500);
  const codexInstall = await ensureCodex();
  const codexHome = await makeCodexHome("codex-home-perf-");
  const model = await startScriptedModel({ script: echoScript([]), recordBodies: false });
  try {
    if ("bin" in codexInstall) await writeCodexConfig(codexHome, model.url);
    const codex = "bin" in codexInstall ? { bin: codexInstall.bin, home: codexHome } : null;
    const measured: { checkout: Checkout; figures: CheckoutFigures }[] = [];
    for (const checkout of checkouts()) {
      process.stderr.write(`perf-table: measuring ${checkout.label} (${checkout.root})\n`);
      measured.push({ checkout, figures: await measureCheckout(checkout, { model, codex, runs }) });
    }
    // The long load runs last, so every other row is in hand (and shown) even if it is cut short.
    process.stderr.write(formatTable(tableOf(measured, [])));
    for (const { checkout, figures } of measured) {
      process.stderr.write(`perf-table: ${sseTasks}-task scale-out load of ${checkout.label}\n`);
      const sse = await measureSse(checkout, sseTasks);
      figures.sseP95 = sse.p95;
      if (sse.problem) figures.problems.push(sse.problem);
    }
    const notes = measured.flatMap(({ figures }) => figures.problems);
    if (!codex && "unavailable" in codexInstall) notes.push(`codex unavailable: ${codexInstall.unavailable}`);
    notes.push(
      `medians: CLI rows over ${runs * 2} interleaved runs after one warm-up, tasks over ${runs}, end of turn over ${runs + 2}; baselines measured beside each checkout's own runs`,
      "per step = (last model request − first) / 19 from the scripted server's arrival stamps; end of turn = the one model answer's arrival → the attempt's final status event",
      "memory = VmRSS of cadre serve and its child processes, 5 s after it said it runs, before any task",
    );
    return [tableOf(measured, notes)];
  } finally {
    await model.close();
    await rm(codexHome, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const table of await benchPerfTable()) console.log(formatTable(table));
  process.exit(0);
}
