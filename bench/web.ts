/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser and needs the DOM types.
/**
 * Web app benchmark, in a real Chromium against a real server:
 * 1. live latency: an event written to the store → the same event rendered in an open task page
 *    (median over 200), beside a plain SSE client in Node receiving it (the baseline);
 * 2. first load of the task page of an attempt with 5,000 events, against a plain fetch of the
 *    same events JSON from the page (the baseline), both measured in this run;
 * 3. first load of a 5,000-file diff, against a plain fetch of the diff JSON pages.
 */
import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import type { EventBody } from "@cadre/protocol";
import { CadreClient, streamAttemptEvents } from "@cadre/client";
import { startServer, type RunningServer } from "@cadre/server";
import { createFixtureRepo, gitIn } from "../test/support/fixture-repo.ts";
import { writeScriptedConfig } from "../test/support/cadre-process.ts";
import { tempHome } from "../test/support/databases.ts";
import { ensureWebBuilt } from "../test/e2e/web/ensure-built.ts";
import { launchChromium } from "../test/e2e/web/browser.ts";
import type { Page } from "playwright-core";
import { formatTable, median, percentile, type BenchTable } from "./lib/table.ts";

const LIVE_EVENTS = 200;
const BIG_EVENTS = 5000;
const BIG_DIFF_FILES = 5000;
const LOAD_RUNS = 5;

/** A realistic mix: messages, commands with streamed output and results, edits, usage. */
function bigEventLog(n: number): EventBody[] {
  const out: EventBody[] = [
    { type: "status", status: "running" },
    { type: "turn_started", turn: 1 },
    { type: "user_message", kind: "prompt", text: "a long task" },
  ];
  let i = 0;
  while (out.length < n - 1) {
    const id = `call_${i++}`;
    out.push({ type: "assistant_message", text: `Step ${i}: looking at module ${i % 37}.` });
    out.push({ type: "tool_call", callId: id, name: "shell", input: { command: `npm test -- --grep case-${i}` } });
    out.push({ type: "command_output", callId: id, stream: "stdout", chunk: `running case-${i}\n`.repeat(5) });
    out.push({ type: "command_output", callId: id, stream: "stdout", chunk: `ok case-${i} (${i % 90} ms)\n` });
    out.push({
      type: "tool_result",
      callId: id,
      name: "shell",
      output: `ok case-${i}`,
      isError: false,
      exitCode: 0,
      durationMs: 120 + (i % 50),
    });
    out.push({
      type: "usage",
      model: "bench/model",
      step: i,
      usage: { inputTokens: 1200, cachedInputTokens: 800, outputTokens: 90, reasoningTokens: 0, costUsd: 0.001 },
    });
  }
  out.length = n - 1;
  out.push({ type: "status", status: "completed" });
  return out;
}

async function makeBigRepo(dir: string): Promise<string> {
  await createFixtureRepo(dir);
  for (let i = 0; i < BIG_DIFF_FILES; i++) {
    const sub = join(dir, "pkg", `m${Math.floor(i / 100)}`);
    if (i % 100 === 0) await mkdir(sub, { recursive: true });
    await writeFile(
      join(sub, `f${i}.ts`),
      `export const name = "f${i}";\nexport function value() {\n  return ${i};\n}\n`,
    );
  }
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "-m", "many files");
  gitIn(dir, "checkout", "-q", "-b", "big");
  for (let i = 0; i < BIG_DIFF_FILES; i++) {
    await writeFile(
      join(dir, "pkg", `m${Math.floor(i / 100)}`, `f${i}.ts`),
      `export const name = "f${i}";\nexport function value() {\n  return ${i} + 1;\n}\n`,
    );
  }
  gitIn(dir, "commit", "-q", "-am", "change them all");
  const head = gitIn(dir, "rev-parse", "HEAD").trim();
  gitIn(dir, "checkout", "-q", "main");
  return head;
}

/**
 * Navigates in-app (bundle already loaded) and times, inside the page, the first appearance of
 * `firstSelector` and the moment `done()` holds; a MutationObserver checks on every DOM change,
 * so the times do not depend on how often the test driver polls.
 */
async function timeInPage(
  p: Page,
  path: string,
  firstSelector: string,
  done: () => boolean,
): Promise<{ first: number; done: number }> {
  await p.evaluate(
    ({ path, firstSelector, doneSrc }) => {
      const w = window as unknown as { benchT?: { first?: number; done?: number } };
      const isDone = new Function(`return (${doneSrc})()`) as () => boolean;
      const t0 = performance.now();
      w.benchT = {};
      const check = () => {
        const b = w.benchT as { first?: number; done?: number };
        if (b.first === undefined && document.querySelector(firstSelector)) b.first = performance.now() - t0;
        if (b.done === undefined && b.first !== undefined && isDone()) b.done = performance.now() - t0;
      };
      new MutationObserver(check).observe(document.body, {
        childList: true,
        subtree: true,
        attributes: true,
        characterData: true,
      });
      history.pushState(null, "", path);
      dispatchEvent(new PopStateEvent("popstate"));
    },
    { path, firstSelector, doneSrc: done.toString() },
  );
  const h = await p.waitForFunction(
    () => {
      const b = (window as unknown as { benchT?: { first?: number; done?: number } }).benchT;
      return b?.done !== undefined ? b : null;
    },
    undefined,
    { timeout: 120_000, polling: 50 },
  );
  return (await h.jsonValue()) as { first: number; done: number };
}

async function newAttempt(api: CadreClient, prompt: string): Promise<{ taskId: string; attemptId: string }> {
  const task = await api.call("createTask", { body: { prompt, repo: "big" } });
  const attemptId = task.attempts[0]?.id;
  if (!attemptId) throw new Error("no attempt");
  return { taskId: task.id, attemptId };
}

export async function benchWeb(): Promise<BenchTable[]> {
  ensureWebBuilt();
  const { home: scratch, remove } = await tempHome("cadre-bench-web-");
  // Repos sit beside the Cadre home: Cadre refuses to take one from inside it.
  const home = join(scratch, "home");
  await writeScriptedConfig(home, "http://127.0.0.1:9/v1");
  const repoDir = join(scratch, "repo");
  const bigHead = await makeBigRepo(repoDir);
  // No embedded runner: the benchmark writes the events itself, as a runner would.
  let server: RunningServer | null = await startServer({ home, port: 0 });
  const browser = await launchChromium();
  try {
    const api = new CadreClient({ baseUrl: server.url, token: server.token });
    await api.call("createRepo", { body: { origin: repoDir, name: "big" } });
    const store = server.store;
    const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    await ctx.addInitScript((t) => localStorage.setItem("cadre.token", t), server.token);
    // tsx compiles with keepNames, which wraps functions passed to page.evaluate in a __name helper.
    await ctx.addInitScript("globalThis.__name = (f) => f;");

    // 1. Live latency.
    const live = await newAttempt(api, "live latency");
    await store.events.append(
      live.attemptId,
      1,
      [
        { type: "status", status: "running" },
        { type: "turn_started", turn: 1 },
      ],
      { runnerId: null },
    );
    const page = await ctx.newPage();
    await page.goto(`${server.url}/tasks/${live.taskId}`);
    await page.waitForSelector(".feed[aria-busy='false']");
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: Record<string, number> }).seen = seen;
      new MutationObserver(() => {
        for (const el of Array.from(document.querySelectorAll(".act-msg"))) {
          const m = /bench-(\d+)/.exec(el.textContent ?? "");
          if (m?.[1] && !(m[1] in seen)) seen[m[1]] = performance.timeOrigin + performance.now();
        }
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    });
    const sseSeen = new Map<number, number>();
    const abort = new AbortController();
    void (async () => {
      try {
        for await (const e of streamAttemptEvents(api, live.attemptId, 2, { signal: abort.signal })) {
          if (e.type === "assistant_message")
            sseSeen.set(Number(/bench-(\d+)/.exec(e.text)?.[1]), performance.timeOrigin + performance.now());
        }
      } catch {
        // aborted at the end
      }
    })();
    const browserLat: number[] = [];
    const sseLat: number[] = [];
    const writeMs: number[] = [];
    for (let i = 0; i < LIVE_EVENTS; i++) {
      const t0 = performance.timeOrigin + performance.now();
      await store.events.append(live.attemptId, 1, [{ type: "assistant_message", text: `bench-${i}` }], {
        runnerId: null,
      });
      writeMs.push(performance.timeOrigin + performance.now() - t0);
      const handle = await page.waitForFunction(
        (k) => (window as unknown as { seen: Record<string, number> }).seen[k],
        String(i),
        { timeout: 10_000, polling: 5 },
      );
      browserLat.push(((await handle.jsonValue()) as number) - t0);
      for (let w = 0; w < 100 && !sseSeen.has(i); w++) await new Promise((r) => setTimeout(r, 5));
      const s = sseSeen.get(i);
      if (s !== undefined) sseLat.push(s - t0);
    }
    abort.abort();
    await page.close();

    // 2. First load of a 5,000-event task page.
    const big = await newAttempt(api, "five thousand events");
    const log = bigEventLog(BIG_EVENTS);
    for (let i = 0; i < log.length; i += 250)
      await store.events.append(big.attemptId, 1, log.slice(i, i + 250), { runnerId: null });
    const pageFirst: number[] = [];
    let domRows = 0;
    const pageAll: number[] = [];
    const fetchAll: number[] = [];
    for (let r = 0; r < LOAD_RUNS; r++) {
      const p = await ctx.newPage();
      await p.goto(`${server.url}/tasks`);
      await p.waitForSelector("h1");
      const t = await timeInPage(p, `/tasks/${big.taskId}`, ".feed-row", () => {
        const f = document.querySelector(".feed");
        return f?.getAttribute("data-last-seq") === "5000" && f.getAttribute("aria-busy") === "false";
      });
      pageFirst.push(t.first);
      pageAll.push(t.done);
      domRows = await p.locator(".feed-row").count();
      // Baseline: the same pages of events JSON fetched and parsed by the page, nothing rendered.
      const ms = await p.evaluate(
        async ({ id, token }) => {
          const t = performance.now();
          let after = 0;
          for (;;) {
            const res = await fetch(`/api/v1/attempts/${id}/events?after=${after}&limit=1000`, {
              headers: { Authorization: `Bearer ${token}` },
            });
            const body = (await res.json()) as { items: { seq: number }[] };
            if (body.items.length === 0) break;
            after = body.items[body.items.length - 1]?.seq ?? after;
            if (body.items.length < 1000) break;
          }
          return performance.now() - t;
        },
        { id: big.attemptId, token: server.token },
      );
      fetchAll.push(ms);
      await p.close();
    }

    // 3. First load of a 5,000-file diff.
    const diffTask = await newAttempt(api, "five thousand files");
    await store.events.append(
      diffTask.attemptId,
      1,
      [
        { type: "status", status: "running" },
        { type: "checkpoint", commit: bigHead, turn: 1 },
        { type: "status", status: "completed" },
      ],
      { runnerId: null },
    );
    const diffFirst: number[] = [];
    const diffAll: number[] = [];
    const diffFetch: number[] = [];
    const diffJump: number[] = [];
    // git lists files in byte order of their paths.
    const lastPath = Array.from({ length: BIG_DIFF_FILES }, (_, i) => `pkg/m${Math.floor(i / 100)}/f${i}.ts`)
      .sort()
      .pop() as string;
    for (let r = 0; r < LOAD_RUNS; r++) {
      const p = await ctx.newPage();
      await p.goto(`${server.url}/tasks`);
      await p.waitForSelector("h1");
      const t = await timeInPage(p, `/tasks/${diffTask.taskId}?tab=diff`, ".drow-line", () => {
        const m = /\d+ of (\d+) hunks/.exec(document.querySelector(".hunk-count")?.textContent ?? "");
        return m?.[1] === "5000" && !document.querySelector(".diff-summary")?.textContent?.includes("loading");
      });
      diffFirst.push(t.first);
      diffAll.push(t.done);
      // Responsiveness: jump to the last file in the tree and wait for its rows.
      const tj = performance.now();
      await p.locator(".diff-rows").evaluate((el) => (el.scrollTop = el.scrollHeight));
      await p.waitForSelector(`.dfile-path[title='${lastPath}']`, { timeout: 30_000 });
      diffJump.push(performance.now() - tj);
      const ms = await p.evaluate(
        async ({ id, token }) => {
          const t = performance.now();
          let cursor: string | null = null;
          do {
            const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
            const res: Response = await fetch(`/api/v1/attempts/${id}/diff?limit=400${q}`, {
              headers: { Authorization: `Bearer ${token}` },
            });
            cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
          } while (cursor);
          return performance.now() - t;
        },
        { id: diffTask.attemptId, token: server.token },
      );
      diffFetch.push(ms);
      await p.close();
    }

    const pageAllMed = median(pageAll);
    const fetchMed = median(fetchAll);
    const diffAllMed = median(diffAll);
    const diffFetchMed = median(diffFetch);
    const sseMed = median(sseLat);
    return [
      {
        title: `Web: event written → visible in an open task page (${LIVE_EVENTS} events, one at a time)`,
        columns: ["measure", "median ms", "p95 ms", "ratio to baseline"],
        rows: [
          [
            "browser page shows it (SSE → React render)",
            median(browserLat),
            percentile(browserLat, 95),
            median(browserLat) / sseMed,
          ],
          ["baseline: Node SSE client receives it", sseMed, percentile(sseLat, 95), 1],
          ["(store write itself)", median(writeMs), percentile(writeMs, 95), median(writeMs) / sseMed],
        ],
        notes: ["both timed from the start of the store write; embedded PGlite, LISTEN/NOTIFY fan-out"],
      },
      {
        title: `Web: first load of a task page with ${BIG_EVENTS} events (median of ${LOAD_RUNS})`,
        columns: ["measure", "median ms", "ratio to baseline"],
        rows: [
          ["first activity rendered (first page of 200)", median(pageFirst), median(pageFirst) / fetchMed],
          [`all ${BIG_EVENTS} events loaded and the feed rendered`, pageAllMed, pageAllMed / fetchMed],
          ["baseline: plain fetch + JSON parse of the events (5 pages)", fetchMed, 1],
        ],
        notes: [
          `in-app navigation from the task list (bundle cached), Chromium headless; ${domRows} feed rows in the DOM (virtualized)`,
        ],
      },
      {
        title: `Web: first load of a ${BIG_DIFF_FILES}-file diff (median of ${LOAD_RUNS})`,
        columns: ["measure", "median ms", "ratio to baseline"],
        rows: [
          ["first rows rendered", median(diffFirst), median(diffFirst) / diffFetchMed],
          ["all files loaded, parsed and hunk counts ready", diffAllMed, diffAllMed / diffFetchMed],
          ["scroll to the last file (virtualized)", median(diffJump), median(diffJump) / diffFetchMed],
          ["baseline: plain fetch of the diff JSON pages", diffFetchMed, 1],
        ],
      },
    ];
  } finally {
    await browser.close().catch(() => undefined);
    await server?.close();
    server = null;
    await remove();
    execFileSync("rm", ["-rf", repoDir]);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const t of await benchWeb()) console.log(formatTable(t));
  process.exit(0);
}
