import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { startCadre } from "@cadre/serve";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import { startScriptedModel } from "../test/support/scripted-model/index.ts";
import { createFixtureRepo, FIX_PATCH } from "../test/support/fixture-repo.ts";
import { writeScriptedConfig } from "../test/support/cadre-process.ts";
import { tempHome } from "../test/support/databases.ts";
import { formatTable, median, type BenchTable } from "./lib/table.ts";

/** A 20-step scripted trajectory: 18 shell calls, one apply_patch, one final answer. */
export function twentyStepScript() {
  const steps: { text?: string; toolCalls?: { name: string; input: unknown }[] }[] = [];
  for (let i = 1; i <= 18; i++) steps.push({ toolCalls: [{ name: "shell", input: { command: `echo step ${i}` } }] });
  steps.splice(9, 0, { toolCalls: [{ name: "apply_patch", input: FIX_PATCH }] });
  steps.push({ text: "Done: fixed add()." });
  return steps;
}

async function timeSpawns(n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) spawnSync("bash", ["-c", "true"]);
  return performance.now() - t0;
}

export async function benchFirstTask(runs = 3): Promise<BenchTable[]> {
  const { home: scratch, remove } = await tempHome("cadre-bench-");
  // Repos sit beside the Cadre home: Cadre refuses to take one from inside it.
  const home = join(scratch, "home");
  const model = await startScriptedModel({ script: twentyStepScript(), recordBodies: false });
  await writeScriptedConfig(home, model.url);
  const repoPath = join(scratch, "repo");
  await createFixtureRepo(repoPath);
  const server = await startCadre({ home, port: 0, slots: 2, log: () => undefined });
  try {
    const api = new CadreClient({ baseUrl: server.url, token: server.token });
    await api.call("createRepo", { body: { origin: repoPath, name: "calc" } });
    const taskTimes: number[] = [];
    const spawnTimes: number[] = [];
    for (let r = 0; r < runs; r++) {
      model.setScript(twentyStepScript(), { resetLanes: true });
      const t0 = performance.now();
      const task = await api.call("createTask", { body: { prompt: "fix the bug", repo: "calc" } });
      const attempt = task.attempts[0];
      if (!attempt) throw new Error("no attempt");
      for await (const e of streamAttemptEvents(api, attempt.id, 0)) {
        if (process.env.BENCH_DEBUG) console.log(e.seq, e.type);
        if (e.type === "status" && (e.status === "completed" || e.status === "failed")) break;
      }
      const diff = await api.call("attemptDiff", { params: { id: attempt.id } });
      taskTimes.push(performance.now() - t0);
      if (diff.totalFiles !== 1) throw new Error(`expected a one-file diff, got ${diff.totalFiles}`);
      spawnTimes.push(await timeSpawns(20));
    }
    const task = median(taskTimes);
    const spawns = median(spawnTimes);
    return [
      {
        title: "Scripted 20-step task end to end (submit → completed with its diff)",
        columns: ["measure", "median ms", "per step ms", "ratio to baseline"],
        rows: [
          ["Cadre 20-step task", task, task / 20, task / spawns],
          ["baseline: 20 × bash -c true", spawns, spawns / 20, 1],
        ],
        notes: [`median of ${runs} runs; embedded PGlite, bubblewrap sandbox, scripted Responses API model over HTTP`],
      },
    ];
  } finally {
    await server.close();
    await model.close();
    await remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const t of await benchFirstTask()) console.log(formatTable(t));
}
