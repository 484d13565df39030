import type { EventBody } from "@cadre/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { ModelError } from "../model-client.ts";
import type { ModelRequest } from "../model-client.ts";
import { fakeModel } from "../testing/fake-model.ts";
import type { FakeReply } from "../testing/fake-model.ts";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import type { RunAgentOptions } from "./agent-options.ts";
import { INTERRUPTED_RESULT } from "./rebuild-conversation.ts";
import { runAgent } from "./run-agent.ts";

let sandboxes: LocalSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
  sandboxes = [];
});

const BUDGETS = { maxSteps: 50, maxTokens: 1_000_000, maxCostUsd: 10 };
const PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch";

async function harness(
  script: Array<FakeReply | ((req: ModelRequest) => FakeReply)>,
  over: Partial<RunAgentOptions> & {
    files?: Record<string, string>;
    family?: "openai" | "anthropic";
    contextWindow?: number;
  } = {},
) {
  const sandbox = await LocalSandbox.create(over.files ?? {});
  sandboxes.push(sandbox);
  const model = fakeModel(script, { family: over.family, contextWindow: over.contextWindow });
  const emitted: EventBody[] = [];
  let checkpoints = 0;
  const opts: RunAgentOptions = {
    model,
    sandbox,
    mode: "code",
    history: [],
    input: { kind: "prompt", text: "Do the task" },
    budgets: BUDGETS,
    signal: new AbortController().signal,
    emit: async (e) => {
      emitted.push(e);
    },
    checkpoint: async () => {
      checkpoints++;
    },
    ...over,
  };
  return { sandbox, model, emitted, opts, checkpoints: () => checkpoints };
}

const types = (events: EventBody[]): string[] => events.map((e) => e.type);

describe("runAgent", () => {
  it("runs tools until the model answers without a tool call", async () => {
    const h = await harness([
      { text: "I will add the file.", toolCalls: [{ name: "apply_patch", input: PATCH }] },
      { toolCalls: [{ name: "shell", input: { command: "cat hello.txt" } }] },
      { text: "Added hello.txt; verified with cat." },
    ]);
    const outcome = await runAgent(h.opts);
    expect(outcome).toEqual({ kind: "completed", summary: "Added hello.txt; verified with cat." });
    expect((await h.sandbox.readFile("hello.txt"))?.toString()).toBe("hello\n");
    expect(types(h.emitted)).toEqual([
      "user_message",
      "assistant_message",
      "usage",
      "tool_call",
      "tool_result",
      "usage",
      "tool_call",
      "command_output",
      "tool_result",
      "assistant_message",
      "usage",
    ]);
    const results = h.emitted.filter((e) => e.type === "tool_result");
    expect(results[0]).toMatchObject({
      output: "Success. Updated the following files:\nA hello.txt",
      isError: false,
      files: ["hello.txt"],
    });
    expect(results[1]).toMatchObject({ isError: false, exitCode: 0 });
    expect(results[1]?.type === "tool_result" && results[1].output).toMatch(
      /^Exit code: 0\nWall time: .*\nOutput:\nhello$/,
    );
    expect(h.checkpoints()).toBe(2);
    const usage = h.emitted.filter((e) => e.type === "usage").map((e) => e.type === "usage" && e.step);
    expect(usage).toEqual([1, 2, 3]);
    // The second request carries the first step's call and its result.
    expect(h.model.requests[1]?.items).toEqual([
      { role: "user", text: "Do the task" },
      {
        role: "assistant",
        text: "I will add the file.",
        toolCalls: [{ callId: "call_1", name: "apply_patch", input: PATCH }],
      },
      {
        role: "tool",
        callId: "call_1",
        name: "apply_patch",
        output: "Success. Updated the following files:\nA hello.txt",
      },
    ]);
  });

  it("offers apply_patch to OpenAI-family models and the editor to Anthropic-family ones", async () => {
    const a = await harness([{ text: "done" }]);
    await runAgent(a.opts);
    expect(a.model.requests[0]?.tools.map((t) => t.name)).toEqual([
      "shell",
      "apply_patch",
      "update_plan",
      "request_user_input",
    ]);
    expect(a.model.requests[0]?.tools[1]).toMatchObject({ kind: "custom", grammar: { syntax: "lark" } });
    const b = await harness([{ text: "done" }], { family: "anthropic" });
    await runAgent(b.opts);
    expect(b.model.requests[0]?.tools.map((t) => t.name)).toEqual([
      "shell",
      "str_replace_based_edit_tool",
      "update_plan",
      "request_user_input",
    ]);
    const c = await harness([{ text: "answer" }], { mode: "ask" });
    await runAgent(c.opts);
    expect(c.model.requests[0]?.tools.map((t) => t.name)).toEqual(["shell", "request_user_input"]);
    expect(c.model.requests[0]?.system).toContain("Mode: ask");
  });

  it("reports an unavailable tool to the model", async () => {
    const h = await harness([{ toolCalls: [{ name: "apply_patch", input: PATCH }] }, { text: "ok" }], { mode: "ask" });
    await runAgent(h.opts);
    const r = h.emitted.find((e) => e.type === "tool_result");
    expect(r).toMatchObject({ isError: true });
    expect(r?.type === "tool_result" && r.output).toContain("not available in ask mode");
  });

  it("includes AGENTS.md and the environment and task instructions in the system prompt", async () => {
    const h = await harness([{ text: "done" }], {
      files: { "AGENTS.md": "Run npm test." },
      instructions: { environment: "Node 20, no network.", task: "Be brief." },
    });
    await runAgent(h.opts);
    const sys = h.model.requests[0]?.system ?? "";
    expect(sys).toContain("Run npm test.");
    expect(sys).toContain("Node 20, no network.");
    expect(sys).toContain("Be brief.");
  });

  it("emits a notice when AGENTS.md is truncated", async () => {
    const h = await harness([{ text: "done" }], { files: { "AGENTS.md": "x".repeat(40_000) } });
    await runAgent(h.opts);
    expect(h.emitted.find((e) => e.type === "notice")).toMatchObject({ level: "warning" });
  });

  it("hands the runner a reply's events and its first tool call together, before the tool runs", async () => {
    const h = await harness([
      {
        text: "Echoing.",
        toolCalls: [
          { name: "shell", input: { command: "echo one" } },
          { name: "shell", input: { command: "echo two" } },
        ],
      },
      { text: "Done." },
    ]);
    // A sink that stores nothing until the current tick ends: what it holds then was handed over together.
    const batches: string[][] = [];
    let open: string[] | null = null;
    h.opts.emit = async (e) => {
      h.emitted.push(e);
      if (open) return void open.push(e.type);
      const batch = [e.type];
      open = batch;
      batches.push(batch);
      await Promise.resolve();
      open = null;
    };
    expect(await runAgent(h.opts)).toMatchObject({ kind: "completed" });
    expect(batches[1]).toEqual(["assistant_message", "usage", "tool_call"]);
    expect(types(h.emitted).slice(0, 5)).toEqual([
      "user_message",
      "assistant_message",
      "usage",
      "tool_call",
      "command_output",
    ]);
    expect(types(h.emitted).filter((t) => t === "tool_call")).toHaveLength(2);
  });

  it("rethrows errors from the runner's emit and checkpoint instead of reporting an agent failure", async () => {
    const boom = new Error("lease lost");
    const h = await harness([{ text: "x" }], {
      emit: async () => {
        throw boom;
      },
    });
    await expect(runAgent(h.opts)).rejects.toBe(boom);
    const c = await harness([{ toolCalls: [{ name: "apply_patch", input: PATCH }] }], {
      checkpoint: async () => {
        throw boom;
      },
    });
    await expect(runAgent(c.opts)).rejects.toBe(boom);
    const out = await harness([{ toolCalls: [{ name: "shell", input: { command: "echo hi" } }] }], {
      emit: async (e) => {
        if (e.type === "command_output") throw boom;
      },
    });
    await expect(runAgent(out.opts)).rejects.toBe(boom);
  });

  it("does not checkpoint a read-only workspace, and checkpoints shell only when asked", async () => {
    const ask = await harness([{ toolCalls: [{ name: "shell", input: { command: "ls" } }] }, { text: "answer" }], {
      mode: "ask",
    });
    const ro = await LocalSandbox.create({}, { readOnly: true });
    sandboxes.push(ro);
    await runAgent({ ...ask.opts, sandbox: ro });
    expect(ask.checkpoints()).toBe(0);
    const noShell = await harness([{ toolCalls: [{ name: "shell", input: { command: "ls" } }] }, { text: "done" }], {
      checkpointAfterShell: false,
    });
    await runAgent(noShell.opts);
    expect(noShell.checkpoints()).toBe(0);
  });

  describe("request_user_input", () => {
    it("emits a question and waits for the answer", async () => {
      const questions = [{ question: "Which database?", options: ["PostgreSQL", "SQLite"] }];
      const h = await harness([
        {
          toolCalls: [
            { name: "request_user_input", input: { questions } },
            { name: "shell", input: { command: "echo hi" } },
          ],
        },
      ]);
      expect(await runAgent(h.opts)).toEqual({ kind: "waiting", waitingFor: "answer" });
      expect(h.emitted.find((e) => e.type === "question")).toEqual({ type: "question", callId: "call_1", questions });
      const results = h.emitted.filter((e) => e.type === "tool_result");
      expect(results).toHaveLength(2);
      expect(results[1]?.type === "tool_result" && results[1].output).toContain("Not run");

      // The answer continues the same conversation.
      const h2 = await harness([{ text: "Used PostgreSQL." }], {
        history: h.emitted,
        input: { kind: "answer", text: "PostgreSQL" },
      });
      expect(await runAgent(h2.opts)).toEqual({ kind: "completed", summary: "Used PostgreSQL." });
      const items = h2.model.requests[0]?.items ?? [];
      expect(items[items.length - 1]).toEqual({ role: "user", text: "Answer to your question:\nPostgreSQL" });
    });

    it("rejects invalid questions with an actionable error", async () => {
      const h = await harness([
        {
          toolCalls: [
            { name: "request_user_input", input: { questions: [{ question: "Q?", options: ["only one"] }] } },
          ],
        },
        { text: "ok" },
      ]);
      expect(await runAgent(h.opts)).toMatchObject({ kind: "completed" });
      const r = h.emitted.find((e) => e.type === "tool_result");
      expect(r?.type === "tool_result" && r.output).toMatch(
        /Invalid input for request_user_input: questions\.0\.options/,
      );
    });
  });

  describe("plan mode", () => {
    const plan = [
      { step: "Add the endpoint", status: "pending" },
      { step: "Test it", status: "pending" },
    ];
    it("plans without edit tools, waits for approval, then implements with them", async () => {
      const h = await harness(
        [{ toolCalls: [{ name: "update_plan", input: { plan } }] }, { text: "Plan: add then test." }],
        { mode: "plan" },
      );
      expect(await runAgent(h.opts)).toEqual({ kind: "waiting", waitingFor: "plan_approval" });
      expect(h.model.requests[0]?.tools.map((t) => t.name)).toEqual(["shell", "update_plan", "request_user_input"]);
      expect(h.model.requests[0]?.system).toContain("Mode: plan");
      expect(h.emitted.find((e) => e.type === "plan")).toEqual({ type: "plan", explanation: null, steps: plan });

      const rejected = await harness([{ text: "Revised plan." }], {
        mode: "plan",
        history: h.emitted,
        input: { kind: "plan_rejected", text: "Use SQLite" },
      });
      expect(await runAgent(rejected.opts)).toEqual({ kind: "waiting", waitingFor: "plan_approval" });
      expect(JSON.stringify(rejected.model.requests[0]?.items)).toContain("Use SQLite");

      const approved = await harness(
        [{ toolCalls: [{ name: "apply_patch", input: PATCH }] }, { text: "Implemented." }],
        {
          mode: "plan",
          history: [...h.emitted, ...rejected.emitted],
          input: { kind: "plan_approved", text: "" },
        },
      );
      expect(await runAgent(approved.opts)).toEqual({ kind: "completed", summary: "Implemented." });
      expect(approved.model.requests[0]?.tools.map((t) => t.name)).toContain("apply_patch");
      expect(approved.model.requests[0]?.system).toContain("approved your plan");
    });

    it("refuses two in_progress steps", async () => {
      const bad = [
        { step: "a", status: "in_progress" },
        { step: "b", status: "in_progress" },
      ];
      const h = await harness([{ toolCalls: [{ name: "update_plan", input: { plan: bad } }] }, { text: "ok" }]);
      await runAgent(h.opts);
      expect(h.emitted.some((e) => e.type === "plan")).toBe(false);
      const r = h.emitted.find((e) => e.type === "tool_result");
      expect(r?.type === "tool_result" && r.output).toContain("at most one may be");
    });
  });

  describe("budgets", () => {
    const spent = (n: number, tokens: number, cost: number): EventBody[] => [
      { type: "user_message", kind: "prompt", text: "t" },
      ...Array.from({ length: n }, (_, i): EventBody => ({
        type: "usage",
        model: "m",
        step: i + 1,
        usage: {
          inputTokens: tokens / n,
          cachedInputTokens: 0,
          outputTokens: 0,
          reasoningTokens: 0,
          costUsd: cost / n,
        },
      })),
      { type: "assistant_message", text: "working" },
    ];
    it("fails before the model call when the step budget is used", async () => {
      const h = await harness([], {
        history: spent(3, 30, 0),
        input: { kind: "followup", text: "more" },
        budgets: { ...BUDGETS, maxSteps: 3 },
      });
      const o = await runAgent(h.opts);
      expect(o).toMatchObject({ kind: "failed", reason: "budget_exceeded" });
      expect(o.kind === "failed" && o.message).toContain("3 of 3 model calls");
      expect(h.model.requests).toHaveLength(0);
    });
    it("fails on the token budget", async () => {
      const h = await harness([], {
        history: spent(2, 5000, 0),
        input: { kind: "followup", text: "more" },
        budgets: { ...BUDGETS, maxTokens: 4000 },
      });
      expect(await runAgent(h.opts)).toMatchObject({
        kind: "failed",
        reason: "budget_exceeded",
        message: expect.stringContaining("Token budget"),
      });
    });
    it("prices usage and fails on the cost budget", async () => {
      const h = await harness(
        [
          {
            toolCalls: [{ name: "shell", input: { command: "true" } }],
            usage: { inputTokens: 1_000_000, cachedInputTokens: 500_000, outputTokens: 100_000 },
          },
        ],
        {
          price: { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 10 },
          budgets: { ...BUDGETS, maxTokens: 10_000_000, maxCostUsd: 2 },
        },
      );
      const o = await runAgent(h.opts);
      const usage = h.emitted.find((e) => e.type === "usage");
      expect(usage?.type === "usage" && usage.usage.costUsd).toBeCloseTo(1 + 0.25 + 1);
      expect(o).toMatchObject({
        kind: "failed",
        reason: "budget_exceeded",
        message: expect.stringContaining("Cost budget"),
      });
      expect(h.model.requests).toHaveLength(1);
    });
  });

  describe("durability", () => {
    it("gives an interrupted tool call a synthetic result and resumes", async () => {
      const history: EventBody[] = [
        { type: "user_message", kind: "prompt", text: "Do the task" },
        {
          type: "usage",
          model: "m",
          step: 1,
          usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: 0 },
        },
        { type: "tool_call", callId: "c1", name: "shell", input: { command: "npm test" } },
        { type: "command_output", callId: "c1", stream: "stdout", chunk: "running" },
      ];
      const h = await harness([{ text: "Resumed and done." }], { history, input: null });
      expect(await runAgent(h.opts)).toEqual({ kind: "completed", summary: "Resumed and done." });
      expect(h.emitted[0]).toEqual({
        type: "tool_result",
        callId: "c1",
        name: "shell",
        output: INTERRUPTED_RESULT,
        isError: true,
        interrupted: true,
      });
      expect(h.emitted.some((e) => e.type === "user_message")).toBe(false);
      expect(h.model.requests[0]?.items).toEqual([
        { role: "user", text: "Do the task" },
        { role: "assistant", text: "", toolCalls: [{ callId: "c1", name: "shell", input: { command: "npm test" } }] },
        { role: "tool", callId: "c1", name: "shell", output: INTERRUPTED_RESULT },
      ]);
    });

    it("returns the final answer without a model call when the run had already finished", async () => {
      const first = await harness([{ text: "All done." }]);
      await runAgent(first.opts);
      const h = await harness([], { history: first.emitted, input: null });
      expect(await runAgent(h.opts)).toEqual({ kind: "completed", summary: "All done." });
      expect(h.model.requests).toHaveLength(0);
    });

    it("resumes a run that was waiting for an answer as still waiting", async () => {
      const q = { questions: [{ question: "A or B?", options: ["A", "B"] }] };
      const first = await harness([{ toolCalls: [{ name: "request_user_input", input: q }] }]);
      await runAgent(first.opts);
      const h = await harness([], { history: first.emitted, input: null });
      expect(await runAgent(h.opts)).toEqual({ kind: "waiting", waitingFor: "answer" });
    });
  });

  describe("compaction", () => {
    const bigHistory = (): EventBody[] => {
      const events: EventBody[] = [{ type: "user_message", kind: "prompt", text: "the original task" }];
      for (let i = 1; i <= 6; i++) {
        events.push(
          {
            type: "usage",
            model: "m",
            step: i,
            usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: 0 },
          },
          { type: "tool_call", callId: `old${i}`, name: "shell", input: { command: `cat big${i}` } },
          { type: "tool_result", callId: `old${i}`, name: "shell", output: `${i}`.repeat(8000), isError: false },
        );
      }
      return events;
    };

    it("compacts before a request that would pass 90% of the window", async () => {
      const h = await harness(
        [
          (req) => {
            expect(req.tools).toEqual([]);
            const last = req.items[req.items.length - 1];
            expect(last?.role === "user" && last.text).toContain("Summarize the conversation");
            return { text: "Task: X. Done: read files. Left: edit." };
          },
          { text: "Finished." },
        ],
        { history: bigHistory(), input: { kind: "followup", text: "continue" }, contextWindow: 14_000 },
      );
      expect(await runAgent(h.opts)).toEqual({ kind: "completed", summary: "Finished." });
      const c = h.emitted.find((e) => e.type === "compaction");
      expect(c).toMatchObject({ type: "compaction", summary: "Task: X. Done: read files. Left: edit." });
      if (c?.type !== "compaction") throw new Error("no compaction");
      expect(c.tokensBefore).toBeGreaterThan(0.9 * 14_000);
      expect(c.tokensAfter).toBeLessThan(c.tokensBefore);
      expect(types(h.emitted)).toEqual(["user_message", "usage", "compaction", "assistant_message", "usage"]);
      const items = h.model.requests[1]?.items ?? [];
      expect(items[0]).toEqual({ role: "user", text: "the original task" });
      expect(items[1]).toEqual({ role: "user", text: expect.stringContaining("Task: X. Done: read files.") });
      expect(items[items.length - 1]).toEqual({ role: "user", text: "continue" });
      expect(items.length).toBeLessThan(15);
      // A new runner rebuilding from the stored events sends the same conversation.
      const again = await harness([{ text: "Again." }], {
        history: [...bigHistory(), ...h.emitted.slice(0, 3)],
        input: null,
        contextWindow: 14_000,
      });
      await runAgent(again.opts);
      expect(again.model.requests[0]?.items).toEqual(items);
    });

    it("compacts and retries once on a context_overflow error", async () => {
      const h = await harness(
        [
          { error: new ModelError("context_overflow", "too long") },
          { text: "summary" },
          { text: "Done after compaction." },
        ],
        { history: bigHistory(), input: { kind: "followup", text: "go" }, contextWindow: 1_000_000 },
      );
      expect(await runAgent(h.opts)).toEqual({ kind: "completed", summary: "Done after compaction." });
      expect(h.emitted.some((e) => e.type === "compaction")).toBe(true);
    });

    it("reads less history when the summarizing call itself overflows", async () => {
      const h = await harness(
        [
          { error: new ModelError("context_overflow", "too long") },
          { error: new ModelError("context_overflow", "summary too long") },
          { text: "summary" },
          { text: "Done." },
        ],
        { history: bigHistory(), input: { kind: "followup", text: "go" }, contextWindow: 1_000_000 },
      );
      expect(await runAgent(h.opts)).toEqual({ kind: "completed", summary: "Done." });
      expect(JSON.stringify(h.model.requests[2]?.items).length).toBeLessThanOrEqual(
        JSON.stringify(h.model.requests[1]?.items).length,
      );
    });

    it("fails with model_error when the context still overflows after compaction", async () => {
      const overflow = { error: new ModelError("context_overflow", "too long") };
      const h = await harness([overflow, { text: "summary" }, overflow], {
        history: bigHistory(),
        input: { kind: "followup", text: "go" },
      });
      expect(await runAgent(h.opts)).toMatchObject({
        kind: "failed",
        reason: "model_error",
        message: expect.stringContaining("context_overflow"),
      });
    });
  });

  describe("stuck detection", () => {
    it("stops a model repeating the same call with the same result and asks the user", async () => {
      const same = { toolCalls: [{ name: "shell", input: { command: "echo same" } }] };
      const h = await harness([same, same, same, same, same]);
      const o = await runAgent(h.opts);
      expect(o).toMatchObject({ kind: "failed", reason: "stuck" });
      expect(o.kind === "failed" && o.message).toContain("4 times");
      expect(h.model.requests).toHaveLength(4);
      const q = h.emitted.find((e) => e.type === "question");
      expect(q?.type === "question" && q.questions[0]?.question).toContain("seems stuck");
    });
  });

  describe("model errors", () => {
    it("fails with model_error and the provider's message", async () => {
      const h = await harness([{ error: new ModelError("auth", "Invalid API key: set OPENAI_API_KEY") }]);
      const o = await runAgent(h.opts);
      expect(o).toMatchObject({ kind: "failed", reason: "model_error" });
      expect(o.kind === "failed" && o.message).toContain("set OPENAI_API_KEY");
    });
    for (const kind of ["rate_limited", "server", "unreachable", "bad_request", "model_not_found"] as const) {
      it(`${kind} → model_error`, async () => {
        const h = await harness([{ error: new ModelError(kind, "boom") }]);
        expect(await runAgent(h.opts)).toMatchObject({ kind: "failed", reason: "model_error" });
      });
    }
    it("a cancelled ModelError → cancelled", async () => {
      const h = await harness([{ error: new ModelError("cancelled", "stopped") }]);
      expect(await runAgent(h.opts)).toEqual({ kind: "cancelled" });
    });
  });

  describe("cancellation", () => {
    it("stops a hanging model stream", async () => {
      const ac = new AbortController();
      const h = await harness([{ hang: true }], { signal: ac.signal });
      const p = runAgent(h.opts);
      setTimeout(() => ac.abort(), 20);
      expect(await p).toEqual({ kind: "cancelled" });
    });
    it("kills a running command and records its result", async () => {
      const ac = new AbortController();
      const h = await harness([{ toolCalls: [{ name: "shell", input: { command: "echo started; sleep 30" } }] }], {
        signal: ac.signal,
        emit: async (e) => {
          h.emitted.push(e);
          if (e.type === "command_output") ac.abort();
        },
      });
      const started = Date.now();
      expect(await runAgent(h.opts)).toEqual({ kind: "cancelled" });
      expect(Date.now() - started).toBeLessThan(20_000);
      const r = h.emitted.find((e) => e.type === "tool_result");
      expect(r?.type === "tool_result" && r.output).toContain("Command cancelled");
    });
    it("returns cancelled immediately when already aborted", async () => {
      const ac = new AbortController();
      ac.abort();
      const h = await harness([], { signal: ac.signal });
      expect(await runAgent(h.opts)).toEqual({ kind: "cancelled" });
    });
  });
});
