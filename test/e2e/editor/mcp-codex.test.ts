import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { CADRE_BIN } from "../../support/cadre-process.ts";
import { ensureCodex, makeCodexHome, writeCodexConfig } from "../../support/codex-cli.ts";
import { BUGGY_CALC, FIX_PATCH } from "../../support/fixture-repo.ts";
import { lastUserText } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/types.ts";
import { completedMcpCalls, codexExec, type CodexRun } from "./codex-exec.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

/** Codex puts each MCP server's tools in one namespace of the Responses request. */
const CADRE_TOOLS = "mcp__cadre";
const APPLY_PROMPT = "Apply Cadre task";
const CODEX_TIMEOUT_MS = 240_000;

const callCadre = (name: string, input: Record<string, unknown>): Step => ({
  toolCalls: [{ namespace: CADRE_TOOLS, name, input }],
});

/** The first task id in the tool results Codex sent back (start_task's result). */
function startedTaskId(ctx: ScriptContext): string {
  for (const message of ctx.request.messages)
    for (const result of message.toolResults) {
      const id = /task_[a-z0-9]+/.exec(result.output)?.[0];
      if (id) return id;
    }
  return "task_not_seen";
}

/** The latest Cadre tool the outer model called, and what it returned. */
function lastCadreCall(ctx: ScriptContext): { name: string; output: string } | null {
  const calls = ctx.request.messages.flatMap((message) => message.toolCalls);
  const results = ctx.request.messages.flatMap((message) => message.toolResults);
  const call = calls.at(-1);
  if (!call) return null;
  return { name: call.name, output: results.find((result) => result.callId === call.id)?.output ?? "" };
}

/**
 * The model Codex talks to: it delegates to Cadre through Cadre's MCP tools, waiting again while
 * the task is still running (a slow machine may take longer than one wait). Asked to apply a
 * task, it tries apply_task on the clone named in the prompt.
 */
function outerModel(ctx: ScriptContext): Step {
  const prompt = lastUserText(ctx);
  if (prompt.includes(APPLY_PROMPT)) {
    const [, taskId = "", path = ""] = /(task_[a-z0-9]+) to (\S+)$/.exec(prompt) ?? [];
    return ctx.step === 0 ? callCadre("apply_task", { taskId, path }) : { text: "apply_task did not run." };
  }
  const last = lastCadreCall(ctx);
  const taskId = startedTaskId(ctx);
  if (!last) return callCadre("start_task", { prompt: "Please fix the add bug", repo: "calc" });
  if (last.name === "start_task" || (last.name === "wait_for_task" && last.output.includes("still running")))
    return callCadre("wait_for_task", { taskId });
  if (last.name === "wait_for_task") return callCadre("get_diff", { taskId });
  return { text: `Cadre fixed add() in task ${taskId}.` };
}

/** The agent inside Cadre, on its own lane: it fixes the bug. */
const innerAgent = routedScript([
  {
    marker: "fix the add bug",
    steps: [{ toolCalls: [{ name: "apply_patch", input: FIX_PATCH }] }, { text: "Fixed add()." }],
  },
]);

const resultText = (item: { result?: { content?: { text?: string }[] } | null }): string =>
  (item.result?.content ?? []).map((part) => part.text ?? "").join("");

describe("cadre mcp with the real Codex CLI as the client, approval settings at their defaults", () => {
  let stack: CadreStack;
  let codexBin: string;
  let codexHome: string;
  let delegated: CodexRun | undefined;

  beforeAll(async () => {
    const codex = await ensureCodex();
    if ("unavailable" in codex) throw new Error(`the Codex CLI could not be installed: ${codex.unavailable}`);
    codexBin = codex.bin;
    stack = await startCadreStack((ctx) => (ctx.request.namespaces[CADRE_TOOLS] ? outerModel(ctx) : innerAgent(ctx)));
    codexHome = await makeCodexHome("codex-home-mcp-");
    // As docs/scripting.md shows it, with `node cadre.js` for the installed `cadre`.
    await writeCodexConfig(codexHome, stack.model.url, {
      cadre: { command: process.execPath, args: [CADRE_BIN, "mcp"], env: stack.env },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    if (codexHome) await rm(codexHome, { recursive: true, force: true });
  });

  it("starts a task, waits for it and reads its diff through Cadre's tools without asking", async () => {
    delegated = await codexExec({
      bin: codexBin,
      codexHome,
      cwd: stack.clone("codex-work"),
      prompt: "Ask Cadre to fix the add bug in the calc repository and show me its diff.",
      timeoutMs: CODEX_TIMEOUT_MS,
    });
    expect(delegated.code, delegated.stderr.slice(-2000)).toBe(0);
    const calls = completedMcpCalls(delegated);
    for (const call of calls)
      expect([call.server, call.status, call.error ?? null], call.tool).toEqual(["cadre", "completed", null]);
    // Repeated waits (a task still running after one) count as one step of the flow.
    const flow = calls.map((call) => call.tool).filter((tool, index, tools) => tool !== tools[index - 1]);
    expect(flow).toEqual(["start_task", "wait_for_task", "get_diff"]);
    const [started, waited, diff] = [calls[0], calls.at(-2), calls.at(-1)];
    const taskId = (started?.result?.structured_content as { id: string }).id;
    expect(taskId).toMatch(/^task_/);
    expect(waited?.result?.structured_content).toMatchObject({
      id: taskId,
      status: "completed",
      review: "pending",
      attempts: [{ index: 1, status: "completed", summary: "Fixed add().", changes: { filesChanged: 1 } }],
    });
    expect(diff?.result?.structured_content).toMatchObject({
      taskId,
      attempt: 1,
      filesChanged: 1,
      additions: 1,
      deletions: 1,
      files: [{ path: "calc.mjs", status: "modified" }],
    });
    const patch = resultText(diff ?? {});
    expect(patch).toContain("diff --git a/calc.mjs b/calc.mjs");
    expect(patch.split("\n").filter((line) => /^[+-](?![+-])/.test(line))).toEqual([
      "-  return a - b;",
      "+  return a + b;",
    ]);
    expect(delegated.events.map((event) => event.type)).toContain("turn.completed");
    const answer = delegated.events.filter((event) => event.item?.type === "agent_message").at(-1);
    expect(answer?.item?.text).toBe(`Cadre fixed add() in task ${taskId}.`);
    // The outer model was given the diff back as the get_diff result.
    const lastRequest = stack.model.requests.filter((request) => request.normalized?.namespaces[CADRE_TOOLS]).at(-1);
    expect(lastRequest?.normalized?.messages.at(-1)?.toolResults[0]?.output).toContain("+  return a + b;");
  });

  it("does not run apply_task, which says it is destructive, when no one can approve it", async () => {
    if (!delegated) throw new Error("the delegation run above did not happen");
    const taskId = (completedMcpCalls(delegated)[0]?.result?.structured_content as { id: string }).id;
    const clone = stack.clone("apply-target");
    const refused = await codexExec({
      bin: codexBin,
      codexHome,
      cwd: clone,
      prompt: `${APPLY_PROMPT} ${taskId} to ${clone}`,
      timeoutMs: CODEX_TIMEOUT_MS,
    });
    expect(refused.code, refused.stderr.slice(-2000)).toBe(0);
    const calls = completedMcpCalls(refused);
    expect(calls.map((call) => [call.tool, call.status])).toEqual([["apply_task", "failed"]]);
    expect(calls[0]?.error?.message).toMatch(/requires approval/);
    expect(calls[0]?.arguments).toEqual({ taskId, path: clone });
    // The call never reached Cadre: the clone is untouched and the task is still pending review.
    expect(await readFile(join(clone, "calc.mjs"), "utf8")).toBe(BUGGY_CALC);
    expect((await stack.client.call("getTask", { params: { id: taskId } })).review.state).toBe("pending");
  });
});
