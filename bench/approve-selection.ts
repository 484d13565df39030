import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { startCadre } from "@cadre/serve";
import { CadreClient, fetchWholeDiff, streamAttemptEvents } from "@cadre/client";
import { generateRepo, parsePatch, selectPatch } from "@cadre/git";
import { startScriptedModel, type ScriptContext, type Step } from "../test/support/scripted-model/index.ts";
import { writeScriptedConfig } from "../test/support/cadre-process.ts";
import { tempHome } from "../test/support/databases.ts";
import { addFile, promptOf, turnStep } from "../test/support/script-helpers.ts";
import { formatTable, median, type BenchTable } from "./lib/table.ts";

/** Pairs of tasks: one approved whole, one with a selection, alternating so both meet the same moving main. */
const PAIRS = 4;
const FILES_PER_TASK = 3;

/**
 * Approve with a hunk selection (2 of 3 changed files) next to approve of the whole attempt,
 * both merging into main of a 50,000-file repository, in the same run; plus what the selection's
 * own work costs with plain git (temporary index from the base, `git apply --cached`, write-tree).
 */
export async function benchApproveSelection(files = 50_000): Promise<BenchTable[]> {
  const { home: scratch, remove } = await tempHome("cadre-bench-approve-");
  const home = join(scratch, "home");
  const origin = join(scratch, "origin.git");
  const gen = await generateRepo(origin, files, { bare: true });
  const spread = Math.floor(files / (PAIRS * 2 * FILES_PER_TASK + 1));
  const targets = (task: number) =>
    Array.from({ length: FILES_PER_TASK }, (_, k) => gen.paths[(task * FILES_PER_TASK + k + 1) * spread] as string);
  const script = (ctx: ScriptContext): Step => {
    const task = Number(/TASK-(\d+)/.exec(promptOf(ctx))?.[1] ?? 0);
    const step = turnStep(ctx);
    const path = targets(task)[step];
    return path
      ? {
          toolCalls: [
            { name: "apply_patch", input: addFile(path, `// rewritten by task ${task}\nexport const t = ${task};\n`) },
          ],
        }
      : { text: `task ${task} done` };
  };
  const model = await startScriptedModel({ script, recordBodies: false });
  await writeScriptedConfig(home, model.url);
  const server = await startCadre({ home, port: 0, slots: 2, log: () => undefined });
  try {
    const api = new CadreClient({ baseUrl: server.url, token: server.token });
    await api.call("createRepo", { body: { origin, name: "big" } });
    const tasks: { id: string; attempt: string }[] = [];
    for (let i = 0; i < PAIRS * 2; i++) {
      const t = await api.call("createTask", { body: { prompt: `TASK-${i}: rewrite three files`, repo: "big" } });
      tasks.push({ id: t.id, attempt: t.attempts[0]?.id as string });
    }
    for (const t of tasks)
      for await (const e of streamAttemptEvents(api, t.attempt, 0))
        if (e.type === "status" && (e.status === "completed" || e.status === "failed")) break;

    const whole: number[] = [];
    const selected: number[] = [];
    const plain: number[] = [];
    for (const [i, t] of tasks.entries()) {
      if (i % 2 === 0) {
        const t0 = performance.now();
        await api.call("approveTask", { params: { id: t.id }, body: { merge: "main" } });
        whole.push(performance.now() - t0);
        continue;
      }
      const diff = await fetchWholeDiff(api, t.attempt);
      const changed = parsePatch(diff.patch);
      const patch = selectPatch(changed, { files: targets(i).slice(0, 2) });
      const t0 = performance.now();
      const done = await api.call("approveTask", {
        params: { id: t.id },
        body: { merge: "main", selection: { patch, head: diff.head } },
      });
      selected.push(performance.now() - t0);
      if (done.review.delivery?.selected?.hunks !== 2) throw new Error("the selection was not delivered as chosen");
      plain.push(plainGitSelection(origin, gen.commit, patch));
    }
    const w = median(whole);
    const s = median(selected);
    const p = median(plain);
    return [
      {
        title: `Approve on a ${files.toLocaleString("en")}-file repository: merge into main, ${PAIRS} times each`,
        columns: ["measure", "median ms", "ratio to baseline"],
        rows: [
          ["approve with a selection (2 of 3 hunks, API: match, tree, commit, push)", s, s / w],
          ["plain git: the selection's tree (temp index, apply --cached, write-tree)", p, p / w],
          ["baseline: approve of the whole attempt (API)", w, 1],
        ],
      },
    ];
  } finally {
    await server.close();
    await model.close();
    await remove();
  }
}

/** What building the selected tree costs with git alone, in ms. */
function plainGitSelection(gitDir: string, base: string, patch: string): number {
  const dir = mkdtempSync(join(tmpdir(), "cadre-bench-index-"));
  const env = { ...process.env, GIT_INDEX_FILE: join(dir, "index") };
  const t0 = performance.now();
  spawnSync("git", ["--git-dir", gitDir, "read-tree", base], { env });
  spawnSync("git", ["--git-dir", gitDir, "apply", "--cached"], { env, input: patch });
  spawnSync("git", ["--git-dir", gitDir, "write-tree"], { env });
  const took = performance.now() - t0;
  rmSync(dir, { recursive: true, force: true });
  return took;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const t of await benchApproveSelection(Number(process.argv[2] ?? 50_000))) console.log(formatTable(t));
}
