import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { startCadre } from "@cadre/serve";
import { CadreApiError, CadreClient } from "@cadre/client";
import type { Task, TaskWithAttempts } from "@cadre/protocol";
import {
  startScriptedModel,
  type ScriptContext,
  type ScriptedModel,
  type Step,
} from "../test/support/scripted-model/index.ts";
import { writeScriptedConfig } from "../test/support/cadre-process.ts";
import { tempHome } from "../test/support/databases.ts";
import { addFile, promptOf, turnStep } from "../test/support/script-helpers.ts";
import type { ForgeBenchDouble, ForgeBenchSubject } from "./lib/forge-bench-subject.ts";
import { giteaSubject } from "./lib/gitea-bench-subject.ts";
import { githubSubject } from "./lib/github-bench-subject.ts";
import { gitlabSubject } from "./lib/gitlab-bench-subject.ts";
import { formatTable, median, percentile, type BenchTable } from "./lib/table.ts";

/** The forges measured; GitLab and Gitea add their subjects here. */
const SUBJECTS: ForgeBenchSubject[] = [githubSubject, gitlabSubject, giteaSubject];
const REPO = "acme/bench";
const DEADLINE_MS = 30 * 60_000;

/** Each mention's task adds a file of its own, then says it is done. */
function script(ctx: ScriptContext): Step {
  const i = /BENCH-(\d+)/.exec(promptOf(ctx))?.[1] ?? "x";
  return turnStep(ctx) === 0
    ? { toolCalls: [{ name: "apply_patch", input: addFile(`mention-${i}.txt`, `mention ${i}\n`) }] }
    : { text: `Mention ${i} done.` };
}

/** One streamed model reply straight from the scripted model: the floor under every agent turn. */
async function modelLatency(model: ScriptedModel, rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    const answer = await fetch(`${model.url}/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer test-key" },
      body: JSON.stringify({ model: "test-model", input: `baseline ${i}`, stream: true }),
    });
    await answer.text();
    times.push(performance.now() - started);
  }
  return times;
}

/** The tasks listed now, or null when the loaded server did not answer this time. */
async function listed(api: CadreClient): Promise<Task[] | null> {
  try {
    return (await api.call("listTasks", { query: { limit: 200 } })).items;
  } catch (error) {
    if (error instanceof CadreApiError && error.code === "unavailable") return null;
    throw error;
  }
}

/**
 * Waits until every mention's task has its pull request. The list alone says so (a task's review
 * holds its delivery); each task is read with its attempts once, one at a time, at the end: 50
 * reads every second made a loaded server refuse connections.
 */
async function settled(api: CadreClient, count: number): Promise<TaskWithAttempts[]> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const items = await listed(api);
    const delivered = items?.filter((t) => t.review.delivery?.kind === "pull_request") ?? [];
    if (items && items.length >= count && delivered.length >= count) {
      const tasks: TaskWithAttempts[] = [];
      for (const t of items) tasks.push(await api.call("getTask", { params: { id: t.id } }));
      return tasks;
    }
    if (Date.now() > deadline) throw new Error(`${delivered.length} of ${count} pull requests after 30 minutes`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

interface SubjectTimes {
  queued: number[];
  opened: number[];
  runs: number[];
}

async function measure(subject: ForgeBenchSubject, mentions: number, model: ScriptedModel): Promise<SubjectTimes> {
  const { home: scratch, remove } = await tempHome(`cadre-bench-forge-${subject.kind}-`);
  const home = join(scratch, "home");
  await writeScriptedConfig(home, model.url);
  const server = await startCadre({ home, port: 0, slots: 4, log: () => undefined });
  let double: ForgeBenchDouble | null = null;
  try {
    double = await subject.start();
    const api = new CadreClient({ baseUrl: server.url, token: server.token });
    await api.call("createForge", {
      body: {
        name: "bench",
        kind: subject.kind,
        apiUrl: double.apiUrl,
        auth: double.auth,
        webhookSecret: double.webhookSecret,
      },
    });
    const origin = await double.createRepo(REPO, `${server.url}/api/v1/forges/bench/webhook`);
    await api.call("createRepo", { body: { origin, name: "bench", forge: "bench" } });
    const forge = double;
    const sent = await Promise.all(
      Array.from({ length: mentions }, (_, i) => forge.mention(REPO, `BENCH-${i}`, `@cadre add mention-${i}.txt`)),
    );
    const sentAt = new Map(sent.map((s) => [s.number, s.sentAt]));
    const tasks = await settled(api, mentions);
    const times: SubjectTimes = { queued: [], opened: [], runs: [] };
    for (const task of tasks) {
      const attempt = task.attempts[0];
      const delivery = task.review.delivery;
      const mentioned = task.origin?.kind === "forge" ? sentAt.get(task.origin.thread.number) : undefined;
      if (mentioned !== undefined) times.queued.push(Date.parse(task.createdAt) - mentioned);
      if (!attempt?.finishedAt || !attempt.startedAt || delivery?.kind !== "pull_request") continue;
      const opened = forge.changeRequestOpenedAt(delivery.branch);
      if (opened !== null) times.opened.push(opened - Date.parse(attempt.finishedAt));
      times.runs.push(Date.parse(attempt.finishedAt) - Date.parse(attempt.startedAt));
    }
    return times;
  } finally {
    await server.close();
    await double?.close();
    await remove();
  }
}

/**
 * 50 mentions (CADRE_BENCH_MENTIONS, or the first argument) at once on one repository of each forge's double: webhook receipt → task queued, and
 * task completed → pull request opened, next to the scripted model's own reply latency in the same run.
 */
export async function benchForgeWebhooks(
  mentions = Number(process.env.CADRE_BENCH_MENTIONS ?? 50),
): Promise<BenchTable[]> {
  const model = await startScriptedModel({ script, recordBodies: false });
  try {
    const baseline = median(await modelLatency(model, 20));
    const rows: (string | number)[][] = [];
    const notes: string[] = [];
    for (const subject of SUBJECTS) {
      const times = await measure(subject, mentions, model);
      const queued = median(times.queued);
      const opened = median(times.opened);
      rows.push([
        `${subject.title}: webhook receipt → task queued`,
        queued,
        percentile(times.queued, 95),
        queued / baseline,
      ]);
      rows.push([
        `${subject.title}: task completed → PR opened`,
        opened,
        percentile(times.opened, 95),
        opened / baseline,
      ]);
      notes.push(
        `${subject.title}: ${times.queued.length}/${mentions} tasks, ${times.opened.length}/${mentions} pull requests; ` +
          `an attempt ran ${Math.round(median(times.runs))} ms (median, 4 slots)`,
      );
    }
    rows.push(["baseline: one scripted model reply (HTTP, streamed)", baseline, baseline, 1]);
    return [
      {
        title: `Forge webhooks: ${mentions} concurrent mentions`,
        columns: ["measure", "median ms", "p95 ms", "ratio to baseline"],
        rows,
        notes,
      },
    ];
  } finally {
    await model.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const mentions = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  for (const t of await benchForgeWebhooks(mentions)) console.log(formatTable(t));
}
