import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { z } from "zod";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult, Progress } from "@modelcontextprotocol/sdk/types.js";
import {
  ApplyOutput,
  DiffOutput,
  RepoListOutput,
  TaskListOutput,
  TaskOutput,
} from "../../../apps/cli/src/mcp/output-schemas.ts";
import { CADRE_BIN } from "../../support/cadre-process.ts";
import { FIX_PATCH, FIXED_CALC, gitIn } from "../../support/fixture-repo.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

const textOf = (result: CallToolResult): string =>
  result.content.map((part) => (part.type === "text" ? part.text : "")).join("");

/** The first inner-agent step waits for this, so a test can start waiting before the task moves. */
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

const ANSWER_OPTIONS = ["yes, convert them", "no, numbers only"];
/** Long enough for a loaded machine, inside the client's 180 s request timeout below. */
const WAIT = { waitSeconds: 170 };

describe("cadre mcp: the SDK's own client delegates tasks over stdio", () => {
  let stack: CadreStack;
  let client: Client;
  const called = new Set<string>();

  /** Calls a tool and checks its structured content against the schema the tool advertises. */
  async function call<Output extends z.ZodObject>(
    schema: Output,
    name: string,
    args: Record<string, unknown>,
    onprogress?: (progress: Progress) => void,
  ): Promise<{ output: z.output<Output>; text: string }> {
    const result = (await client.callTool({ name, arguments: args }, undefined, {
      timeout: 180_000,
      ...(onprogress ? { onprogress } : {}),
    })) as CallToolResult;
    expect(result.isError, textOf(result)).toBeFalsy();
    called.add(name);
    return { output: schema.parse(result.structuredContent), text: textOf(result) };
  }

  beforeAll(async () => {
    stack = await startCadreStack(
      routedScript([
        {
          marker: "fix the add bug",
          steps: [{ until: gate, toolCalls: [{ name: "apply_patch", input: FIX_PATCH }] }, { text: "Fixed add()." }],
        },
        {
          marker: "ASK-ME",
          steps: [
            {
              toolCalls: [
                {
                  name: "request_user_input",
                  input: { questions: [{ question: "Should add() also accept strings?", options: ANSWER_OPTIONS }] },
                },
              ],
            },
          ],
        },
        {
          marker: "numbers only",
          steps: [{ toolCalls: [{ name: "apply_patch", input: FIX_PATCH }] }, { text: "Fixed add() for numbers." }],
        },
        { marker: "also check mul", steps: [{ text: "mul() is fine as it is." }] },
        {
          marker: "PLAN-FIRST",
          steps: [
            {
              toolCalls: [
                {
                  name: "update_plan",
                  input: { explanation: "Small fix", plan: [{ step: "Fix add() in calc.mjs", status: "pending" }] },
                },
              ],
            },
            { text: "Plan: fix add()." },
          ],
        },
        { marker: "The plan is approved", steps: [{ text: "Nothing left to change." }] },
      ]),
    );
    client = new Client({ name: "cadre-e2e", version: "1.0.0" });
    const env = { ...(process.env as Record<string, string>), ...stack.env };
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CADRE_BIN, "mcp"], env, stderr: "pipe" }),
    );
  });

  afterAll(async () => {
    openGate();
    await client?.close();
    await stack?.stop();
  });

  it("lists its tools, each with annotations and an output schema", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "answer_question",
      "apply_task",
      "approve_plan",
      "approve_task",
      "get_diff",
      "get_task",
      "list_repos",
      "list_tasks",
      "send_followup",
      "start_task",
      "wait_for_task",
    ]);
    for (const tool of tools) {
      expect(tool.annotations?.title, tool.name).toBeTruthy();
      expect(tool.outputSchema?.type, tool.name).toBe("object");
    }
  });

  it("starts a task, waits for it with progress, gets its diff and applies it to a local clone", async () => {
    const { output: repos } = await call(RepoListOutput, "list_repos", {});
    expect(repos.repos.map((repo) => repo.name)).toEqual(["calc"]);

    const { output: task } = await call(TaskOutput, "start_task", { prompt: "Please fix the add bug", repo: "calc" });
    expect(task).toMatchObject({ repo: "calc", status: "queued", review: "pending" });

    // The agent is held at its first step until the wait has reported it is waiting.
    const progress: Progress[] = [];
    const { output: done } = await call(TaskOutput, "wait_for_task", { taskId: task.id, ...WAIT }, (update) => {
      progress.push(update);
      openGate();
    });
    expect(done.status).toBe("completed");
    expect(done.attempts).toMatchObject([
      { index: 1, summary: "Fixed add().", changes: { filesChanged: 1, additions: 1, deletions: 1 } },
    ]);
    expect(progress[0]?.message).toMatch(/^attempt 1: \w+, waiting for it to settle$/);
    expect(progress.map((update) => update.message)).toEqual(
      expect.arrayContaining(["attempt 1: ⚙ apply_patch", "attempt 1: ● completed"]),
    );
    expect(progress.map((update) => update.progress)).toEqual(progress.map((_, index) => index + 1));

    const { output: diff, text: patch } = await call(DiffOutput, "get_diff", { taskId: task.id });
    expect(diff).toMatchObject({
      taskId: task.id,
      attempt: 1,
      turn: null,
      filesChanged: 1,
      additions: 1,
      deletions: 1,
    });
    expect(diff.files.map((file) => [file.path, file.status])).toEqual([["calc.mjs", "modified"]]);
    expect(patch).toBe(diff.patch);
    expect(patch).toContain("diff --git a/calc.mjs b/calc.mjs");
    expect(patch.split("\n").filter((line) => /^[+-](?![+-])/.test(line))).toEqual([
      "-  return a - b;",
      "+  return a + b;",
    ]);

    const { output: listed } = await call(TaskListOutput, "list_tasks", { repo: "calc" });
    expect(listed.tasks.map((row) => row.id)).toContain(task.id);

    const clone = stack.clone("mcp-clone");
    const { output: applied } = await call(ApplyOutput, "apply_task", { taskId: task.id, path: clone });
    expect(applied).toMatchObject({ taskId: task.id, attempt: 1, applied: ["calc.mjs"], conflicted: [] });
    expect(await readFile(join(clone, "calc.mjs"), "utf8")).toBe(FIXED_CALC);
    const { output: after } = await call(TaskOutput, "get_task", { taskId: task.id });
    expect(after).toMatchObject({ review: "applied", delivery: { kind: "pulled_locally" } });
  });

  it("returns at once with the question when a task asks, then resumes from the answer", async () => {
    const { output: asked } = await call(TaskOutput, "start_task", {
      prompt: "ASK-ME: fix add()",
      repo: "calc",
      wait: true,
      ...WAIT,
    });
    expect(asked.status).toBe("waiting_for_input");
    expect(asked.waiting).toEqual([
      {
        attempt: 1,
        waitingFor: "answer",
        questions: [{ question: "Should add() also accept strings?", options: ANSWER_OPTIONS }],
      },
    ]);
    // Already waiting: wait_for_task does not wait, it hands back the same question.
    const { output: again } = await call(TaskOutput, "wait_for_task", { taskId: asked.id, waitSeconds: 3600 });
    expect(again.waiting).toEqual(asked.waiting);

    await call(TaskOutput, "answer_question", { taskId: asked.id, text: "no, numbers only" });
    const { output: answered } = await call(TaskOutput, "wait_for_task", { taskId: asked.id, ...WAIT });
    expect(answered).toMatchObject({ status: "completed", attempts: [{ summary: "Fixed add() for numbers." }] });
    expect(answered.waiting).toBeUndefined();

    await call(TaskOutput, "send_followup", { taskId: asked.id, text: "Please also check mul" });
    const { output: followed } = await call(TaskOutput, "wait_for_task", { taskId: asked.id, ...WAIT });
    expect(followed.attempts[0]?.summary).toBe("mul() is fine as it is.");

    // Delivering to the origin: pushed as a branch of its own.
    const { output: delivered } = await call(TaskOutput, "approve_task", {
      taskId: asked.id,
      deliver: "push_branch",
      branch: "cadre/ask-me",
    });
    expect(delivered).toMatchObject({ review: "applied", delivery: { kind: "push_branch", branch: "cadre/ask-me" } });
    expect(gitIn(stack.origin, "rev-parse", "refs/heads/cadre/ask-me").trim()).toBe(delivered.delivery?.commit);
  });

  it("hands back a plan waiting for approval, and approves it", async () => {
    const { output: planned } = await call(TaskOutput, "start_task", {
      prompt: "PLAN-FIRST: fix add()",
      repo: "calc",
      mode: "plan",
      wait: true,
      ...WAIT,
    });
    expect(planned.waiting).toEqual([
      {
        attempt: 1,
        waitingFor: "plan_approval",
        plan: { explanation: "Small fix", steps: [{ step: "Fix add() in calc.mjs", status: "pending" }] },
      },
    ]);
    await call(TaskOutput, "approve_plan", { taskId: planned.id });
    const { output: done } = await call(TaskOutput, "wait_for_task", { taskId: planned.id, ...WAIT });
    expect(done).toMatchObject({ status: "completed", attempts: [{ summary: "Nothing left to change." }] });
  });

  it("called every tool, each answering with content that matches its output schema", async () => {
    const { tools } = await client.listTools();
    expect([...called].sort()).toEqual(tools.map((tool) => tool.name).sort());
  });

  it("reports a bad argument as a tool error that says what to do", async () => {
    const relative = (await client.callTool({
      name: "apply_task",
      arguments: { taskId: "tsk_nope", path: "relative/dir" },
    })) as CallToolResult;
    expect(relative.isError).toBe(true);
    expect(textOf(relative)).toContain("path must be absolute");
    const noBranch = (await client.callTool({
      name: "approve_task",
      arguments: { taskId: "tsk_nope", deliver: "merge" },
    })) as CallToolResult;
    expect(noBranch.isError).toBe(true);
    expect(textOf(noBranch)).toContain("needs branch");
  });
});
