import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { FIX_PATCH } from "../support/fixture-repo.ts";
import { lastUserText, patchStep, promptOf, shellStep, turnStep, updateFile } from "../support/script-helpers.ts";

const FIX_MUL = updateFile("calc.mjs", "export function mul(a, b) {", "  return a * b;", "  return Math.imul(a, b);");

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const last = lastUserText(ctx);
  const step = turnStep(ctx);
  if (ctx.request.api === "anthropic") {
    const plan: Step[] = [
      { toolCalls: [{ name: "str_replace_based_edit_tool", input: { command: "view", path: "calc.mjs" } }] },
      {
        toolCalls: [
          {
            name: "str_replace_based_edit_tool",
            input: { command: "str_replace", path: "calc.mjs", old_str: "return a - b;", new_str: "return a + b;" },
          },
        ],
      },
      shellStep("node test.mjs"),
    ];
    return plan[step] ?? { text: "Fixed add() with the editor; the tests pass." };
  }
  if (prompt.includes("ASK-ME")) {
    if (
      !ctx.request.messages.some((m) => m.role === "user" && m !== ctx.request.messages[0] && m.text.length > 0) &&
      step === 0
    ) {
      return {
        toolCalls: [
          {
            name: "request_user_input",
            input: {
              questions: [
                { question: "Should add() also accept strings?", options: ["yes, convert them", "no, numbers only"] },
              ],
            },
          },
        ],
      };
    }
    if (last.includes("numbers only"))
      return step === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add() for numbers only, as you answered." };
    return { text: "waiting" };
  }
  if (prompt.includes("PLAN-FIRST")) {
    if (last.includes("approved"))
      return step === 0
        ? patchStep(FIX_PATCH)
        : step === 1
          ? shellStep("node test.mjs")
          : { text: "Carried out the approved plan." };
    if (step === 0)
      return {
        toolCalls: [
          {
            name: "update_plan",
            input: {
              explanation: "Small fix",
              plan: [
                { step: "Fix add() in calc.mjs", status: "pending" },
                { step: "Run node test.mjs", status: "pending" },
              ],
            },
          },
        ],
      };
    return { text: "Plan: fix add(), then run the tests." };
  }
  if (prompt.includes("FOLLOW-UP")) {
    if (last.includes("also")) return step === 0 ? patchStep(FIX_MUL) : { text: "mul() now uses Math.imul." };
    return step === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add()." };
  }
  if (prompt.includes("SLOW")) {
    const plan: Step[] = [patchStep(FIX_PATCH), shellStep("sleep 6 && echo slept")];
    return plan[step] ?? { text: "Fixed add(); the slow check ran." };
  }
  if (prompt.includes("CANCEL-ME")) {
    const plan: Step[] = [patchStep(FIX_PATCH), shellStep("sleep 60 && echo slept")];
    return plan[step] ?? { text: "done" };
  }
  if (prompt.includes("BAD-KEY")) return { error: { status: 401, message: "Incorrect API key provided" } };
  return { text: "nothing to do" };
}

describe("agent flows through the server", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      script,
      config: (url) => ({
        defaultModel: "scripted/gpt-test",
        providers: {
          scripted: { kind: "openai-responses", baseUrl: url, apiKey: "k", maxRetries: 0 },
          claude: { kind: "anthropic", baseUrl: url, apiKey: "k", maxRetries: 0 },
        },
        // Named here: a model neither the config names nor its provider lists is refused at creation.
        models: { "claude/claude-test": {} },
      }),
    });
  });
  afterAll(async () => h?.stop());

  const json = <T>(args: string[], code = 0) => h.json<T>(args, code);
  const events = (taskId: string) => h.events(taskId);
  async function changedLines(taskId: string, extra: string[] = []): Promise<string[]> {
    const r = await h.cli(["diff", taskId, ...extra]);
    return r.stdout.split("\n").filter((l) => /^[+-](?![+-])/.test(l));
  }

  it("asks, waits for input holding no process, and continues from the answer", async () => {
    const t = await json<TaskWithAttempts>(["task", "new", "ASK-ME: fix add()", "--repo", "calc", "--wait"], 6);
    expect(t.status).toBe("waiting_for_input");
    expect(t.attempts[0]).toMatchObject({ status: "waiting_for_input", waitingFor: "answer" });
    const q = (await events(t.id)).find((e) => e.type === "question");
    expect(q && q.type === "question" && q.questions[0]?.options).toEqual(["yes, convert them", "no, numbers only"]);
    const shown = await h.cli(["task", "show", t.id]);
    expect(shown.stdout).toContain("waiting for answer");
    const answered = await json<TaskWithAttempts>(["answer", t.id, "no, numbers only", "--wait"]);
    expect(answered.status).toBe("completed");
    expect(answered.attempts[0]?.summary).toContain("numbers only");
    expect(await changedLines(t.id)).toEqual(["-  return a - b;", "+  return a + b;"]);
  });

  it("plan mode changes no file before approval and follows the approved plan", async () => {
    const t = await json<TaskWithAttempts>(
      ["task", "new", "PLAN-FIRST: fix add()", "--repo", "calc", "--mode", "plan", "--wait"],
      6,
    );
    expect(t.attempts[0]).toMatchObject({ status: "waiting_for_input", waitingFor: "plan_approval", headCommit: null });
    expect(await changedLines(t.id)).toEqual([]);
    const plan = (await events(t.id)).find((e) => e.type === "plan");
    expect(plan && plan.type === "plan" && plan.steps.map((s) => s.step)).toEqual([
      "Fix add() in calc.mjs",
      "Run node test.mjs",
    ]);
    const done = await json<TaskWithAttempts>(["plan", "approve", t.id, "--wait"]);
    expect(done.status).toBe("completed");
    expect(await changedLines(t.id)).toEqual(["-  return a - b;", "+  return a + b;"]);
  });

  it("a follow-up is a second turn whose diff builds on the first", async () => {
    const t = await json<TaskWithAttempts>(["task", "new", "FOLLOW-UP: fix add()", "--repo", "calc", "--wait"]);
    expect(t.status).toBe("completed");
    const second = await json<TaskWithAttempts>(["followup", t.id, "also make mul() use Math.imul", "--wait"]);
    expect(second.attempts[0]?.turnCount).toBe(2);
    expect(await changedLines(t.id, ["--turn", "1"])).toEqual(["-  return a - b;", "+  return a + b;"]);
    expect(await changedLines(t.id, ["--turn", "2"])).toEqual(["-  return a * b;", "+  return Math.imul(a, b);"]);
    expect(await changedLines(t.id)).toEqual([
      "-  return a - b;",
      "+  return a + b;",
      "-  return a * b;",
      "+  return Math.imul(a, b);",
    ]);
  });

  it("fixes a bug in the Anthropic Messages format with the string-replace editor", async () => {
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "fix add() (anthropic)",
      "--repo",
      "calc",
      "--model",
      "claude/claude-test",
      "--wait",
    ]);
    expect(t.status).toBe("completed");
    expect(await changedLines(t.id)).toEqual(["-  return a - b;", "+  return a + b;"]);
    const tools = (await events(t.id))
      .filter((e) => e.type === "tool_call")
      .map((e) => (e.type === "tool_call" ? e.name : ""));
    expect(tools).toEqual(["str_replace_based_edit_tool", "str_replace_based_edit_tool", "shell"]);
  });

  it("a 401 fails the attempt with model_error and names the setting to fix", async () => {
    const t = await json<TaskWithAttempts>(["task", "new", "BAD-KEY: anything", "--repo", "calc", "--wait"], 1);
    expect(t.attempts[0]).toMatchObject({ status: "failed", failureReason: "model_error" });
    expect(t.attempts[0]?.failureMessage).toMatch(/401|refused|key/i);
    expect(t.attempts[0]?.failureMessage).toMatch(/apiKey|API_KEY/);
  });

  it("cancel stops the running command and keeps the partial diff", async () => {
    const t = await json<TaskWithAttempts>(["task", "new", "CANCEL-ME: fix add() then wait", "--repo", "calc"]);
    const attemptId = t.attempts[0]?.id as string;
    for (let i = 0; i < 300; i++) {
      const evs = await events(t.id);
      if (evs.some((e) => e.type === "tool_call" && e.name === "shell")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await h.cli(["task", "cancel", t.id])).code).toBe(0);
    let final: TaskWithAttempts = await json(["task", "show", t.id]);
    for (let i = 0; i < 100 && final.status !== "cancelled"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      final = await json(["task", "show", t.id]);
    }
    expect(final.attempts[0]?.id).toBe(attemptId);
    expect(final.status).toBe("cancelled");
    const evs = await events(t.id);
    expect(evs.some((e) => e.type === "command_output" && e.chunk.includes("slept"))).toBe(false);
    expect(await changedLines(t.id)).toEqual(["-  return a - b;", "+  return a + b;"]);
  });

  it("a runner killed in the middle of a command resumes, with no event lost or duplicated and the same diff", async () => {
    const t = await json<TaskWithAttempts>(["task", "new", "SLOW: fix add() then run a slow check", "--repo", "calc"]);
    for (let i = 0; i < 300; i++) {
      const evs = await events(t.id);
      if (evs.some((e) => e.type === "tool_call" && e.name === "shell")) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await h.restart("SIGKILL");
    let final: TaskWithAttempts = await json(["task", "show", t.id]);
    for (let i = 0; i < 600 && final.status !== "completed" && final.status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 100));
      final = await json(["task", "show", t.id]);
    }
    expect(final.status).toBe("completed");
    const evs = await events(t.id);
    expect(evs.map((e) => e.seq)).toEqual(evs.map((_, i) => i + 1));
    const shellResults = evs.filter((e) => e.type === "tool_result" && e.name === "shell");
    expect(shellResults).toHaveLength(1);
    expect(shellResults[0]).toMatchObject({ interrupted: true });
    expect(await changedLines(t.id)).toEqual(["-  return a - b;", "+  return a + b;"]);
    const calls = evs.filter((e) => e.type === "tool_call").map((e) => (e.type === "tool_call" ? e.callId : ""));
    expect(new Set(calls).size).toBe(calls.length);
  });
});
