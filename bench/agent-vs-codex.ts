/**
 * The harness's own cost per step, Cadre against `codex exec` (@openai/codex): the same scripted
 * 20-step trajectory (19 `echo` shell calls, then a plain text answer) served by the same scripted
 * Responses API server, both systems measured in the same run, runs interleaved.
 * Codex is installed at bench time into ~/.cache/cadre-bench/codex (never into the repository), by
 * test/support/codex-cli.ts, shared with the MCP end-to-end test.
 * Run: npx tsx bench/agent-vs-codex.ts
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { startCadre } from "@cadre/serve";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import { isTerminal, type Event } from "@cadre/protocol";
import { startScriptedModel, type ScriptFunction } from "../test/support/scripted-model/index.ts";
import { createFixtureRepo } from "../test/support/fixture-repo.ts";
import { writeScriptedConfig } from "../test/support/cadre-process.ts";
import { tempHome } from "../test/support/databases.ts";
import { CODEX_VERSION, ensureCodex, lastLine, makeCodexHome, writeCodexConfig } from "../test/support/codex-cli.ts";
import { formatTable, median, type BenchTable } from "./lib/table.ts";

/** Model replies in the trajectory: STEPS - 1 echo tool calls, then one text answer. */
export const STEPS = 20;
export const ECHOES = STEPS - 1;
const CODEX_TIMEOUT_MS = 180_000;

/** Wall clock in ms with sub-millisecond resolution (comparable with events' ISO `at`). */
export const now = (): number => performance.timeOrigin + performance.now();

export interface RequestStamp {
  lane: number;
  step: number;
  at: number;
}

/**
 * One script for both systems: it offers the shell tool the client declared — Cadre's `shell`
 * (`{ command }`) or Codex's `exec_command` (`{ cmd }`) — and stamps each request's arrival.
 */
export function echoScript(stamps: RequestStamp[]): ScriptFunction {
  return (ctx) => {
    stamps.push({ lane: ctx.lane, step: ctx.step, at: now() });
    if (ctx.step >= ECHOES) return { text: `Done: echoed ${ECHOES} steps.` };
    const command = `echo step ${ctx.step + 1}`;
    const tools = ctx.request.tools;
    if (tools.includes("shell")) return { toolCalls: [{ name: "shell", input: { command } }] };
    if (tools.includes("exec_command")) return { toolCalls: [{ name: "exec_command", input: { cmd: command } }] };
    return { text: `no shell tool offered (tools: ${tools.join(", ")})` };
  };
}

/** Where one step's time went, in ms: request → tool call seen → command done → next request. */
export interface StepSplit {
  toCall: number;
  command: number;
  toNextRequest: number;
  /** The command's own duration as the harness reports it (Cadre's tool_result durationMs). */
  reported?: number;
}

export interface RunResult {
  wallMs: number;
  /** Arrival of each model request of the run (epoch ms). */
  requests: number[];
  /** Commands that ran and printed their `step N`. */
  echoes: number;
  /** Submit (or spawn) → first model request. */
  startMs: number;
  /** Last model request → done. */
  finishMs: number;
  splits: StepSplit[];
  problem?: string;
}

export const perStep = (r: RunResult): number | null => {
  const first = r.requests[0];
  const last = r.requests[r.requests.length - 1];
  return r.requests.length === STEPS && first !== undefined && last !== undefined ? (last - first) / (STEPS - 1) : null;
};

/** Step splits from "tool call seen" and "tool result seen" times, one pair per echo, against request arrivals. */
function splitSteps(requests: number[], calls: { started: number; done: number; reported?: number }[]): StepSplit[] {
  const out: StepSplit[] = [];
  for (let i = 0; i < calls.length; i++) {
    const req = requests[i];
    const next = requests[i + 1];
    const c = calls[i];
    if (req === undefined || next === undefined || !c) continue;
    out.push({
      toCall: c.started - req,
      command: c.done - c.started,
      toNextRequest: next - c.done,
      reported: c.reported,
    });
  }
  return out;
}

// ---------------------------------------------------------------- Codex

interface CodexItem {
  id?: string;
  type?: string;
  aggregated_output?: string;
  exit_code?: number | null;
}

export async function runCodex(
  bin: string,
  codexHome: string,
  repo: string,
  stamps: RequestStamp[],
): Promise<RunResult> {
  const lines: { at: number; line: string }[] = [];
  const t0 = now();
  const { code, stderr, timedOut } = await new Promise<{ code: number | null; stderr: string; timedOut: boolean }>(
    (resolve) => {
      const child = spawn(
        bin,
        ["exec", "--json", "-s", "workspace-write", "--skip-git-repo-check", "Run the steps you are given."],
        {
          cwd: repo,
          env: { ...process.env, OPENAI_API_KEY: "dummy", CODEX_HOME: codexHome },
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      let pending = "";
      let err = "";
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, CODEX_TIMEOUT_MS);
      child.stdout.on("data", (b: Buffer) => {
        const at = now();
        pending += b.toString("utf8");
        let i: number;
        while ((i = pending.indexOf("\n")) >= 0) {
          lines.push({ at, line: pending.slice(0, i) });
          pending = pending.slice(i + 1);
        }
      });
      child.stderr.on("data", (b: Buffer) => {
        if (err.length < 20_000) err += b.toString("utf8");
      });
      child.on("close", (c) => {
        clearTimeout(timer);
        resolve({ code: c, stderr: err, timedOut: killed });
      });
      child.on("error", (e) => {
        clearTimeout(timer);
        resolve({ code: null, stderr: String(e), timedOut: false });
      });
    },
  );
  const t1 = now();
  const started = new Map<string, number>();
  const calls: { started: number; done: number }[] = [];
  let echoes = 0;
  let turnCompleted = false;
  for (const { at, line } of lines) {
    let msg: { type?: string; item?: CodexItem };
    try {
      msg = JSON.parse(line) as { type?: string; item?: CodexItem };
    } catch {
      continue;
    }
    if (msg.type === "turn.completed") turnCompleted = true;
    const item = msg.item;
    if (item?.type !== "command_execution" || !item.id) continue;
    if (msg.type === "item.started") started.set(item.id, at);
    if (msg.type === "item.completed") {
      calls.push({ started: started.get(item.id) ?? at, done: at });
      if (item.exit_code === 0 && /^step \d+$/m.test(item.aggregated_output ?? "")) echoes++;
    }
  }
  const requests = stamps.map((s) => s.at);
  const problems: string[] = [];
  if (timedOut) problems.push(`killed after ${CODEX_TIMEOUT_MS} ms`);
  if (code !== 0) problems.push(`exit ${code ?? "signal"}: ${lastLine(stderr)}`);
  if (!turnCompleted) problems.push("no turn.completed event");
  return {
    wallMs: t1 - t0,
    requests,
    echoes,
    startMs: (requests[0] ?? t1) - t0,
    finishMs: t1 - (requests[requests.length - 1] ?? t0),
    splits: splitSteps(requests, calls),
    problem: problems.length ? problems.join("; ") : undefined,
  };
}

// ---------------------------------------------------------------- Cadre

export async function allEvents(api: CadreClient, attemptId: string): Promise<Event[]> {
  const out: Event[] = [];
  let after = 0;
  for (;;) {
    const page = await api.call("listEvents", { params: { id: attemptId }, query: { after, limit: 500 } });
    out.push(...page.items);
    const last = page.items[page.items.length - 1];
    if (!last || last.seq >= page.lastSeq) return out;
    after = last.seq;
  }
}

async function runCadre(api: CadreClient, stamps: RequestStamp[]): Promise<RunResult> {
  const t0 = now();
  const task = await api.call("createTask", { body: { prompt: "Run the steps you are given.", repo: "calc" } });
  const attempt = task.attempts[0];
  if (!attempt) throw new Error("createTask returned no attempt");
  let status = "";
  for await (const e of streamAttemptEvents(api, attempt.id, 0)) {
    if (e.type === "status" && isTerminal(e.status)) {
      status = e.status;
      break;
    }
  }
  const t1 = now();
  const events = await allEvents(api, attempt.id);
  const callAt = new Map<string, number>();
  const calls: { started: number; done: number; reported?: number }[] = [];
  let echoes = 0;
  for (const e of events) {
    if (e.type === "tool_call") callAt.set(e.callId, Date.parse(e.at));
    if (e.type === "tool_result") {
      const done = Date.parse(e.at);
      calls.push({ started: callAt.get(e.callId) ?? done, done, reported: e.durationMs ?? undefined });
      if (e.name === "shell" && !e.isError && /^step \d+$/m.test(e.output)) echoes++;
    }
  }
  const requests = stamps.map((s) => s.at);
  return {
    wallMs: t1 - t0,
    requests,
    echoes,
    startMs: (requests[0] ?? t1) - t0,
    finishMs: t1 - (requests[requests.length - 1] ?? t0),
    splits: splitSteps(requests, calls),
    problem: status === "completed" ? undefined : `attempt ended ${status || "without a status"}`,
  };
}

// ---------------------------------------------------------------- bench

function timeSpawns(n: number): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) spawnSync("bash", ["-c", "true"]);
  return performance.now() - t0;
}

const medianOr = (xs: number[]): number | string => (xs.length ? median(xs) : "n/a");
const ratio = (a: number | string, b: number | string): number | string =>
  typeof a === "number" && typeof b === "number" && b > 0 ? a / b : "n/a";

interface Summary {
  perStep: number | string;
  whole: number | string;
  steps: string;
  fullRuns: number;
  problems: string[];
}

function summarize(name: string, runs: RunResult[]): Summary {
  const full = runs.filter((r) => perStep(r) !== null && r.echoes === ECHOES && !r.problem);
  const problems = runs.flatMap((r, i) => {
    const p: string[] = [];
    if (r.requests.length !== STEPS) p.push(`${r.requests.length} model requests, not ${STEPS}`);
    if (r.echoes !== ECHOES) p.push(`${r.echoes} echo outputs, not ${ECHOES}`);
    if (r.problem) p.push(r.problem);
    return p.length ? [`${name} run ${i + 1}: ${p.join("; ")} (left out of the medians)`] : [];
  });
  return {
    perStep: medianOr(full.map((r) => perStep(r) as number)),
    whole: medianOr(full.map((r) => r.wallMs)),
    steps: runs.map((r) => `${r.requests.length}/${r.echoes}`).join(" "),
    fullRuns: full.length,
    problems,
  };
}

function splitRows(cadre: RunResult[], codex: RunResult[]): (string | number)[][] {
  const mean = (xs: number[]): number[] => (xs.length ? [xs.reduce((a, b) => a + b, 0) / xs.length] : []);
  const med = (runs: RunResult[], f: (s: StepSplit) => number | undefined): number | string =>
    medianOr(
      runs.flatMap((r) =>
        mean(
          r.splits.flatMap((s) => {
            const v = f(s);
            return v === undefined ? [] : [v];
          }),
        ),
      ),
    );
  const rows: [string, (s: StepSplit) => number | undefined][] = [
    ["model request arrives → tool call seen", (s) => s.toCall],
    ["tool call seen → tool result seen", (s) => s.command],
    ["  of which the command itself (Cadre's durationMs)", (s) => s.reported],
    ["tool result seen → next model request", (s) => s.toNextRequest],
  ];
  return [
    [
      "submit/spawn → first model request (once)",
      medianOr(cadre.map((r) => r.startMs)),
      medianOr(codex.map((r) => r.startMs)),
    ],
    ...rows.map(([label, f]) => [`per step: ${label}`, med(cadre, f), med(codex, f)]),
    [
      "last model request → done (once)",
      medianOr(cadre.map((r) => r.finishMs)),
      medianOr(codex.map((r) => r.finishMs)),
    ],
  ];
}

export async function benchAgentVsCodex(runs = 3): Promise<BenchTable[]> {
  const codex = await ensureCodex();
  const { home: scratch, remove } = await tempHome("cadre-bench-avc-");
  // Repos sit beside the Cadre home: Cadre refuses to take one from inside it.
  const home = join(scratch, "home");
  let stamps: RequestStamp[] = [];
  const model = await startScriptedModel({ script: echoScript(stamps), recordBodies: false });
  await writeScriptedConfig(home, model.url);
  const originRepo = join(scratch, "origin");
  await createFixtureRepo(originRepo);
  const codexHome = await makeCodexHome();
  const codexWork = await mkdtemp(join(tmpdir(), "cadre-bench-codex-repos-"));
  const server = await startCadre({ home, port: 0, slots: 2, log: () => undefined });
  try {
    const api = new CadreClient({ baseUrl: server.url, token: server.token });
    await api.call("createRepo", { body: { origin: originRepo, name: "calc" } });
    if ("bin" in codex) await writeCodexConfig(codexHome, model.url);
    const cadreRuns: RunResult[] = [];
    const codexRuns: RunResult[] = [];
    const spawnTimes: number[] = [];
    for (let r = 0; r < runs; r++) {
      stamps = [];
      model.setScript(echoScript(stamps), { resetLanes: true });
      cadreRuns.push(await runCadre(api, stamps));
      if (process.env.BENCH_DEBUG) console.log("cadre", JSON.stringify(cadreRuns[r]?.splits.slice(0, 4)));
      if ("bin" in codex) {
        const repo = join(codexWork, `run-${r}`);
        await createFixtureRepo(repo);
        stamps = [];
        model.setScript(echoScript(stamps), { resetLanes: true });
        codexRuns.push(await runCodex(codex.bin, codexHome, repo, stamps));
        if (process.env.BENCH_DEBUG) console.log("codex", JSON.stringify(codexRuns[r]?.splits.slice(0, 4)));
      }
      spawnTimes.push(timeSpawns(STEPS));
    }
    const cadre = summarize("Cadre", cadreRuns);
    const spawns = median(spawnTimes);
    const rows: (string | number)[][] = [["Cadre", cadre.perStep, cadre.whole, cadre.steps]];
    const notes = [
      `median of ${runs} interleaved runs; ${STEPS} model replies = ${ECHOES} echo shell calls + a text answer; scripted Responses API model over HTTP for both`,
      `per step = (last model request − first model request) / ${STEPS - 1}, from the scripted server's arrival stamps; whole task = submit (Cadre createTask / codex spawn) → attempt completed / codex exited`,
      "steps column: model requests / echo outputs seen, per run",
    ];
    if ("bin" in codex) {
      const cx = summarize("codex", codexRuns);
      rows.push([`codex exec ${CODEX_VERSION}`, cx.perStep, cx.whole, cx.steps]);
      rows.push(["ratio Cadre / codex", ratio(cadre.perStep, cx.perStep), ratio(cadre.whole, cx.whole), ""]);
      notes.push(
        "codex: `codex exec --json -s workspace-write --skip-git-repo-check` in a fresh fixture git repo per run, CODEX_HOME in ~/.cache/cadre-bench (shared by the runs), defaults otherwise (it runs each command as `bash -lc`)",
        "Cadre: in-process server, embedded PGlite, a fresh sandbox workspace per task",
        ...cx.problems,
      );
      const perOk = typeof cadre.perStep === "number" && typeof cx.perStep === "number";
      const wholeOk = typeof cadre.whole === "number" && typeof cx.whole === "number";
      notes.push(
        `target per step (Cadre ≤ codex): ${perOk ? ((cadre.perStep as number) <= (cx.perStep as number) ? "met" : "missed") : "not measured"}; target whole task (Cadre ≤ codex): ${wholeOk ? ((cadre.whole as number) <= (cx.whole as number) ? "met" : "missed") : "not measured"}`,
      );
    } else {
      rows.push([`codex exec ${CODEX_VERSION}`, `codex unavailable: ${codex.unavailable}`, "", ""]);
    }
    rows.push([`baseline: ${STEPS} × bash -c true`, spawns / STEPS, spawns, ""]);
    notes.push(...cadre.problems);
    const tables: BenchTable[] = [
      {
        title: `Harness cost per step: Cadre vs codex exec, same scripted ${STEPS}-step echo trajectory`,
        columns: ["system", "per step ms", "whole task ms", "steps (requests/echoes)"],
        rows,
        notes,
      },
    ];
    tables.push({
      title: "Where the time goes (ms; per-step rows: mean over a run's steps, median over runs)",
      columns: ["segment", "Cadre", "codex exec"],
      rows: "bin" in codex ? splitRows(cadreRuns, codexRuns) : splitRows(cadreRuns, []),
      notes: [
        "model request = arrival at the scripted server; Cadre's tool call/result = the events' `at` stamps (ms resolution); codex's = arrival of its item.started/item.completed JSON lines on stdout",
        "codex's split between its first two per-step rows depends on when it prints item.started (its items carry no durations); the three per-step rows add up to its per-step time",
        "Cadre's durationMs runs from spawning the sandboxed process to its exit; the rest of that row is the runner around it (event storage, sandbox call plumbing)",
      ],
    });
    return tables;
  } finally {
    await server.close();
    await model.close();
    await remove();
    await rm(codexHome, { recursive: true, force: true });
    await rm(codexWork, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const t of await benchAgentVsCodex()) console.log(formatTable(t));
}
