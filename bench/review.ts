import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { startCadre } from "@cadre/serve";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import { generateRepo } from "@cadre/git";
import { startScriptedModel, type ScriptContext, type Step } from "../test/support/scripted-model/index.ts";
import { writeScriptedConfig } from "../test/support/cadre-process.ts";
import { tempHome } from "../test/support/databases.ts";
import { addFile, promptOf, turnStep } from "../test/support/script-helpers.ts";
import { formatTable, median, type BenchTable } from "./lib/table.ts";

const TASKS = 10;

/**
 * Diff and conflict-matrix cost for 10 finished tasks on a 50,000-file repository, next to a
 * plain `git diff` of one of them in the same run. Tasks 0 and 1 edit the same file (one
 * conflicting pair); the others edit files of their own.
 */
export async function benchReview(files = 50_000): Promise<BenchTable[]> {
  const { home: scratch, remove } = await tempHome("cadre-bench-review-");
  // Repos sit beside the Cadre home: Cadre refuses to take one from inside it.
  const home = join(scratch, "home");
  const origin = join(scratch, "origin.git");
  const gen = await generateRepo(origin, files, { bare: true });
  const target = (i: number) => gen.paths[(i === 1 ? 0 : i) * Math.floor(files / TASKS)] as string;
  const script = (ctx: ScriptContext): Step => {
    const i = Number(/TASK-(\d+)/.exec(promptOf(ctx))?.[1] ?? 0);
    return turnStep(ctx) === 0
      ? {
          toolCalls: [
            {
              name: "apply_patch",
              input: addFile(target(i), `// rewritten by task ${i}\nexport const task${i} = ${i};\n`),
            },
          ],
        }
      : { text: `task ${i} done` };
  };
  const model = await startScriptedModel({ script, recordBodies: false });
  await writeScriptedConfig(home, model.url);
  const server = await startCadre({ home, port: 0, slots: 2, log: () => undefined });
  try {
    const api = new CadreClient({ baseUrl: server.url, token: server.token });
    const repo = await api.call("createRepo", { body: { origin, name: "big" } });
    const attempts: string[] = [];
    for (let i = 0; i < TASKS; i++) {
      const t = await api.call("createTask", { body: { prompt: `TASK-${i}: rewrite ${target(i)}`, repo: "big" } });
      attempts.push(t.attempts[0]?.id as string);
    }
    for (const id of attempts) {
      for await (const e of streamAttemptEvents(api, id, 0))
        if (e.type === "status" && (e.status === "completed" || e.status === "failed")) break;
    }
    const diffTimes: number[] = [];
    for (const id of attempts) {
      const t0 = performance.now();
      const d = await api.call("attemptDiff", { params: { id } });
      diffTimes.push(performance.now() - t0);
      if (d.totalFiles !== 1) throw new Error(`expected one changed file, got ${d.totalFiles}`);
    }
    const matrixTimes: number[] = [];
    let conflicts = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const m = await api.call("repoConflicts", { params: { id: repo.id } });
      matrixTimes.push(performance.now() - t0);
      conflicts = m.pairs.filter((p) => !p.clean).length;
    }
    const attempt = await api.call("getAttempt", { params: { id: attempts[2] as string } });
    const mirror = join(home, "mirrors", `${repo.id}.git`);
    const gitTimes: number[] = [];
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      spawnSync("git", ["--git-dir", mirror, "diff", gen.commit, attempt.headCommit as string], { encoding: "utf8" });
      gitTimes.push(performance.now() - t0);
    }
    const g = median(gitTimes);
    const d = median(diffTimes);
    const m = median(matrixTimes);
    return [
      {
        title: `Review on a ${files.toLocaleString("en")}-file repository: ${TASKS} finished tasks`,
        columns: ["measure", "median ms", "ratio to baseline"],
        rows: [
          ["Cadre diff of one attempt (API, stats + patch)", d, d / g],
          [`Cadre conflict matrix (${TASKS} vs target + ${(TASKS * (TASKS - 1)) / 2} pairs, API)`, m, m / g],
          ["baseline: plain git diff of one attempt", g, 1],
        ],
        notes: [`conflicting pairs found: ${conflicts} (expected 1)`],
      },
    ];
  } finally {
    await server.close();
    await model.close();
    await remove();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const t of await benchReview(Number(process.argv[2] ?? 50_000))) console.log(formatTable(t));
}
