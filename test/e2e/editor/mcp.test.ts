import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { CADRE_BIN } from "../../support/cadre-process.ts";
import { FIX_PATCH, FIXED_CALC } from "../../support/fixture-repo.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

function textOf(result: unknown): string {
  const content = (result as { content: { type: string; text: string }[] }).content;
  return content.map((c) => c.text).join("");
}

describe("cadre mcp: the SDK's own client delegates a task over stdio", () => {
  let stack: CadreStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startCadreStack(
      routedScript([
        {
          marker: "fix the add bug",
          steps: [{ toolCalls: [{ name: "apply_patch", input: FIX_PATCH }] }, { text: "Fixed add()." }],
        },
      ]),
    );
    client = new Client({ name: "cadre-e2e", version: "1.0.0" });
    const env = { ...(process.env as Record<string, string>), ...stack.env };
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [CADRE_BIN, "mcp"], env, stderr: "pipe" }),
    );
  });

  afterAll(async () => {
    await client?.close();
    await stack?.stop();
  });

  it("lists its tools", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      "answer_question",
      "apply_task",
      "approve_plan",
      "get_diff",
      "get_task",
      "list_repos",
      "list_tasks",
      "send_followup",
      "start_task",
      "wait_for_task",
    ]);
  });

  it("starts a task, waits for it, gets its diff and applies it to a local clone", async () => {
    const started = await client.callTool(
      { name: "start_task", arguments: { prompt: "Please fix the add bug", repo: "calc" } },
      undefined,
      { timeout: 120_000 },
    );
    const task = JSON.parse(textOf(started)) as { id: string; status: string };
    expect(task.id).toMatch(/^task_/);

    const waited = await client.callTool(
      { name: "wait_for_task", arguments: { taskId: task.id, waitSeconds: 120 } },
      undefined,
      { timeout: 180_000 },
    );
    const done = JSON.parse(textOf(waited)) as { status: string; attempts: { summary: string }[] };
    expect(done.status).toBe("completed");
    expect(done.attempts[0]?.summary).toBe("Fixed add().");

    const diff = textOf(await client.callTool({ name: "get_diff", arguments: { taskId: task.id } }));
    expect(diff).toContain("diff --git a/calc.mjs b/calc.mjs");
    expect(diff.split("\n").filter((l) => /^[+-](?![+-])/.test(l))).toEqual(["-  return a - b;", "+  return a + b;"]);

    const listed = JSON.parse(textOf(await client.callTool({ name: "list_tasks", arguments: { repo: "calc" } }))) as {
      id: string;
    }[];
    expect(listed.map((t) => t.id)).toContain(task.id);

    const clone = stack.clone("mcp-clone");
    const applied = JSON.parse(
      textOf(await client.callTool({ name: "apply_task", arguments: { taskId: task.id, path: clone } })),
    ) as { applied: string[]; conflicted: string[] };
    expect(applied).toMatchObject({ applied: ["calc.mjs"], conflicted: [] });
    expect(await readFile(join(clone, "calc.mjs"), "utf8")).toBe(FIXED_CALC);
    expect(
      (
        JSON.parse(textOf(await client.callTool({ name: "get_task", arguments: { taskId: task.id } }))) as {
          review: string;
        }
      ).review,
    ).toBe("applied");
  });

  it("reports a bad argument as a tool error that says what to do", async () => {
    const res = await client.callTool({ name: "apply_task", arguments: { taskId: "tsk_nope", path: "relative/dir" } });
    expect(res.isError).toBe(true);
    expect(textOf(res)).toContain("path must be absolute");
  });
});
