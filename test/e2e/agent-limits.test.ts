import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import type { Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { runCli, startCadreServe } from "../support/cadre-process.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { tempHome } from "../support/databases.ts";
import { createFixtureRepo, FIX_PATCH } from "../support/fixture-repo.ts";
import { patchStep, promptOf, shellStep, turnStep } from "../support/script-helpers.ts";

/** Budgets and the small model's context window are set in this file's config.json. */
const MAX_STEPS = 8;

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const step = turnStep(ctx);
  // The compaction request carries no tools: answer it with a summary.
  if (ctx.request.tools.length === 0)
    return { text: "SUMMARY: task is to fix add() in calc.mjs; big outputs were read; next: apply the fix." };
  if (prompt.includes("LOOP")) return shellStep("node test.mjs");
  if (prompt.includes("SPEND")) return shellStep(`echo step ${step}`);
  if (prompt.includes("BIG-OUTPUT")) {
    const compacted = ctx.request.messages.some((m) => m.text.includes("SUMMARY: task is to fix add()"));
    if (!compacted)
      return shellStep(
        `for i in $(seq 1 300); do echo "line $i of a long build log that fills the context window quickly"; done`,
      );
    return step === 0 || !ctx.request.messages.some((m) => m.toolCalls.some((c) => c.name === "apply_patch"))
      ? patchStep(FIX_PATCH)
      : { text: "Fixed add() after compacting the context." };
  }
  if (prompt.includes("RATE-LIMITED")) {
    if (ctx.errorsServed === 0)
      return { error: { status: 429, headers: { "retry-after": "1" }, message: "Rate limit reached" } };
    return step === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add() after a rate limit." };
  }
  return { text: "done" };
}

describe("agent limits through the server: stuck, budget, compaction, 429", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      script,
      config: (url) => ({
        defaultModel: "scripted/gpt-test",
        providers: { scripted: { kind: "openai-responses", baseUrl: url, apiKey: "k", maxRetries: 3 } },
        models: { "scripted/small-window": { contextWindow: 12_000 } },
        budgets: { maxSteps: MAX_STEPS, maxTokens: 10_000_000, maxCostUsd: 100 },
      }),
    });
  });
  afterAll(async () => h?.stop());

  async function run(args: string[]): Promise<{ task: TaskWithAttempts; events: Event[] }> {
    const r = await h.cli(["task", "new", ...args, "--repo", "calc", "--wait", "--json"]);
    const task = JSON.parse(r.stdout) as TaskWithAttempts;
    return { task, events: await h.events(task.id) };
  }

  it("the same action with the same result again and again ends as stuck, with a question to the user", async () => {
    const { task, events } = await run(["LOOP: run the tests until they pass"]);
    expect(task.attempts[0]).toMatchObject({ status: "failed", failureReason: "stuck" });
    // the test keeps failing the same way: the same error three times is a loop
    expect(events.filter((e) => e.type === "tool_call")).toHaveLength(3);
    expect(events.some((e) => e.type === "question")).toBe(true);
  });

  it("the step budget is checked before every model call", async () => {
    const { task, events } = await run(["SPEND: keep echoing"]);
    expect(task.attempts[0]).toMatchObject({ status: "failed", failureReason: "budget_exceeded" });
    expect(events.filter((e) => e.type === "usage")).toHaveLength(MAX_STEPS);
    expect(task.attempts[0]?.failureMessage).toMatch(/step budget/i);
  });

  it("a conversation that overflows the context is compacted and completes", async () => {
    const { task, events } = await run([
      "BIG-OUTPUT: read the build log, then fix add()",
      "--model",
      "scripted/small-window",
    ]);
    expect(task.status).toBe("completed");
    const compactions = events.filter((e) => e.type === "compaction");
    expect(compactions.length).toBeGreaterThanOrEqual(1);
    const c = compactions[0];
    expect(c && c.type === "compaction" && c.tokensAfter < c.tokensBefore).toBe(true);
    expect(task.attempts[0]?.summary).toContain("after compacting");
  });

  it("a 429 with Retry-After is retried and the task completes", async () => {
    const before = h.model.requests.length;
    const { task } = await run(["RATE-LIMITED: fix add()"]);
    expect(task.status).toBe("completed");
    const mine = h.model.requests.slice(before);
    // the refused request, its retry, and the final answer
    expect(mine.length).toBe(3);
    const [first, second] = mine;
    expect(second && first ? second.receivedAt - first.receivedAt : 0).toBeGreaterThanOrEqual(1000);
  });
});

describe("with no model provider configured", () => {
  it("the server starts and creating a task names the missing setting", async () => {
    const { home, remove } = await tempHome();
    // outside the Cadre home: Cadre refuses to take a repo from inside it
    const repo = `${home}-repo`;
    await createFixtureRepo(repo);
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(OPENAI|ANTHROPIC)_|^CADRE_MODEL$/.test(k)),
    ) as Record<string, string>;
    const server = await startCadreServe({
      home,
      slots: 0,
      env: { ...clean, OPENAI_API_KEY: "", ANTHROPIC_API_KEY: "" },
    });
    try {
      const env = { CADRE_HOME: home, CADRE_URL: server.url, CADRE_TOKEN: server.token };
      expect((await runCli(["repo", "add", repo, "--name", "calc"], env)).code).toBe(0);
      const r = await runCli(["task", "new", "fix it", "--repo", "calc"], env);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/OPENAI_API_KEY/);
      expect(r.stderr).toMatch(/config\.json/);
    } finally {
      await server.stop();
      await remove();
      await rm(repo, { recursive: true, force: true });
    }
  });
});
