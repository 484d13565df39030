import type { EventBody } from "@cadre/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ScriptContext, ScriptedModel, Step } from "../../../../test/support/scripted-model/index.ts";
import { createModelClient } from "../providers/create-model-client.ts";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import type { RunAgentOptions } from "./agent-options.ts";
import { runAgent } from "./run-agent.ts";

/** End to end through the real providers over HTTP: the loop, the wire formats and the tools together. */
describe("runAgent with real providers against the scripted model server", () => {
  let server: ScriptedModel;
  let sandbox: LocalSandbox | null = null;
  beforeAll(async () => {
    server = await startScriptedModel();
  });
  afterAll(async () => {
    await server.close();
  });
  afterEach(async () => {
    await sandbox?.dispose();
    sandbox = null;
  });

  const BUG = {
    "math.js": "export function add(a, b) {\n  return a - b;\n}\n",
    "test.sh":
      "node -e \"import('./math.js').then(m => { if (m.add(2, 3) !== 5) { console.log('FAIL'); process.exit(1) } console.log('PASS') })\"\n",
  };

  async function run(
    model: RunAgentOptions["model"],
  ): Promise<{ outcome: Awaited<ReturnType<typeof runAgent>>; events: EventBody[] }> {
    sandbox = await LocalSandbox.create(BUG);
    const events: EventBody[] = [];
    const outcome = await runAgent({
      model,
      sandbox,
      mode: "code",
      history: [],
      input: { kind: "prompt", text: "Fix the bug in add; run test.sh" },
      budgets: { maxSteps: 10, maxTokens: 1_000_000, maxCostUsd: 5 },
      signal: new AbortController().signal,
      emit: async (e) => void events.push(e),
      checkpoint: async () => undefined,
    });
    return { outcome, events };
  }

  const lastToolOutput = (ctx: ScriptContext): string => {
    const msgs = ctx.request.messages;
    for (let i = msgs.length - 1; i >= 0; i--) {
      const r = msgs[i]?.toolResults ?? [];
      const last = r[r.length - 1];
      if (last) return last.output;
    }
    return "";
  };

  for (const customTools of [true, false]) {
    it(`fixes a bug with apply_patch over the Responses API (${customTools ? "custom tool with grammar" : "function taking { input }"})`, async () => {
      const seen: string[] = [];
      server.setScript((ctx): Step => {
        seen.push(lastToolOutput(ctx));
        if (ctx.step === 0) {
          expect(ctx.request.tools).toContain("apply_patch");
          expect(ctx.request.customTools.includes("apply_patch")).toBe(customTools);
          return {
            text: "Fixing the subtraction.",
            toolCalls: [
              {
                name: "apply_patch",
                input:
                  "*** Begin Patch\n*** Update File: math.js\n@@ export function add(a, b) {\n-  return a - b;\n+  return a + b;\n*** End Patch\n",
              },
            ],
          };
        }
        if (ctx.step === 1) return { toolCalls: [{ name: "shell", input: { command: "sh test.sh" } }] };
        return { text: "Fixed add (a - b → a + b) in math.js; sh test.sh prints PASS." };
      });
      const model = createModelClient({
        kind: "openai-responses",
        providerName: "openai",
        model: "gpt-5.1-codex",
        baseURL: server.url,
        apiKey: "test-key",
        contextWindow: 128_000,
        customTools,
        price: null,
      });
      const { outcome, events } = await run(model);
      expect(outcome).toEqual({
        kind: "completed",
        summary: "Fixed add (a - b → a + b) in math.js; sh test.sh prints PASS.",
      });
      expect((await sandbox?.readFile("math.js"))?.toString()).toBe(
        "export function add(a, b) {\n  return a + b;\n}\n",
      );
      expect(seen[1]).toBe("Success. Updated the following files:\nM math.js");
      expect(seen[2]).toMatch(/^Exit code: 0\n[\s\S]*PASS$/);
      expect(events.filter((e) => e.type === "usage")).toHaveLength(3);
    });
  }

  it("fixes a bug with the string-replace editor over the Anthropic Messages API", async () => {
    const seen: string[] = [];
    server.setScript((ctx): Step => {
      seen.push(lastToolOutput(ctx));
      if (ctx.step === 0) {
        expect(ctx.request.tools).toContain("str_replace_based_edit_tool");
        expect(ctx.request.tools).not.toContain("apply_patch");
        return {
          toolCalls: [{ name: "str_replace_based_edit_tool", input: { command: "view", path: "/workspace/math.js" } }],
        };
      }
      if (ctx.step === 1) {
        return {
          text: "Found it.",
          toolCalls: [
            {
              name: "str_replace_based_edit_tool",
              input: { command: "str_replace", path: "math.js", old_str: "return a - b;", new_str: "return a + b;" },
            },
          ],
        };
      }
      if (ctx.step === 2) return { toolCalls: [{ name: "shell", input: { command: "sh test.sh" } }] };
      return { text: "Fixed add in math.js; test.sh passes." };
    });
    const model = createModelClient({
      kind: "anthropic",
      providerName: "anthropic",
      model: "claude-sonnet-4-5",
      baseURL: server.url.replace(/\/v1$/, ""),
      apiKey: "test-key",
      contextWindow: 200_000,
      price: null,
    });
    const { outcome } = await run(model);
    expect(outcome).toEqual({ kind: "completed", summary: "Fixed add in math.js; test.sh passes." });
    expect((await sandbox?.readFile("math.js"))?.toString()).toBe("export function add(a, b) {\n  return a + b;\n}\n");
    expect(seen[1]).toContain("     2\t  return a - b;");
    expect(seen[2]).toContain("Edited math.js");
    expect(seen[3]).toContain("PASS");
  });
});
