import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { NormalizedRequest, ScriptedModel } from "../../../../test/support/scripted-model/index.ts";
import type { ConversationItem } from "../model-client.ts";
import { createOpenAIChatClient } from "./openai-chat.ts";
import { collect, request, SHELL } from "./provider-test-suite.ts";

const REPO = resolve(import.meta.dirname, "../../../..");

async function post(url: string, body: unknown): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

function eventNames(sse: string): string[] {
  return sse
    .split("\n")
    .filter((l) => l.startsWith("event: "))
    .map((l) => l.slice(7));
}

describe("scripted model server", () => {
  let server: ScriptedModel;
  beforeAll(async () => {
    server = await startScriptedModel({ models: ["m1", "m2"] });
  });
  afterAll(async () => {
    await server.close();
  });

  it("serves a real Responses SSE sequence with function and custom tool calls", async () => {
    server.setScript([
      {
        text: "hi",
        toolCalls: [
          { name: "shell", input: { cmd: "ls" } },
          { name: "apply_patch", input: "*** Begin Patch" },
        ],
      },
    ]);
    const res = await post(`${server.url}/responses`, {
      model: "m",
      stream: true,
      input: [{ role: "user", content: "go" }],
      tools: [
        { type: "function", name: "shell", parameters: {} },
        { type: "custom", name: "apply_patch" },
      ],
    });
    expect(res.type).toBe("text/event-stream");
    const names = eventNames(res.text);
    expect(names[0]).toBe("response.created");
    expect(names.at(-1)).toBe("response.completed");
    for (const name of [
      "response.output_item.added",
      "response.output_text.delta",
      "response.function_call_arguments.delta",
      "response.function_call_arguments.done",
      "response.custom_tool_call_input.delta",
      "response.custom_tool_call_input.done",
      "response.output_item.done",
    ]) {
      expect(names).toContain(name);
    }
    expect(res.text).toContain('"call_id":"call_0_1"');
  });

  it("sees Responses namespace tools and calls a function inside one, as Codex declares MCP tools", async () => {
    const seen: NormalizedRequest[] = [];
    server.setScript((ctx) => {
      seen.push(ctx.request);
      return { toolCalls: [{ namespace: "mcp__cadre", name: "list_repos", input: {} }] };
    });
    const res = await post(`${server.url}/responses`, {
      model: "m",
      stream: true,
      input: [
        { role: "user", content: "go" },
        { type: "function_call", call_id: "call_7_0", namespace: "mcp__cadre", name: "get_task", arguments: "{}" },
        { type: "function_call_output", call_id: "call_7_0", output: "{}" },
      ],
      tools: [
        { type: "function", name: "exec_command", parameters: {} },
        { type: "namespace", name: "mcp__cadre", tools: [{ type: "function", name: "list_repos", parameters: {} }] },
      ],
    });
    expect(seen[0]?.tools).toEqual(["exec_command", "mcp__cadre"]);
    expect(seen[0]?.namespaces).toEqual({ mcp__cadre: ["list_repos"] });
    expect(seen[0]?.messages[1]?.toolCalls).toEqual([
      { id: "call_7_0", namespace: "mcp__cadre", name: "get_task", input: {} },
    ]);
    const done = res.text.split("\n").find((line) => line.includes('"type":"response.output_item.done"'));
    expect(JSON.parse(done?.slice("data: ".length) ?? "{}")).toMatchObject({
      item: { type: "function_call", call_id: "call_7_1", namespace: "mcp__cadre", name: "list_repos" },
    });
  });

  it("serves Anthropic events and Chat chunks ending in [DONE]", async () => {
    server.setScript([{ text: "hello", toolCalls: [{ name: "shell", input: { cmd: "ls" } }] }]);
    const a = await post(`${server.url}/messages`, {
      model: "c",
      stream: true,
      max_tokens: 10,
      messages: [{ role: "user", content: "x" }],
    });
    expect(eventNames(a.text)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(a.text).toContain('"type":"input_json_delta"');
    const c = await post(`${server.url}/chat/completions`, {
      model: "c",
      stream: true,
      messages: [{ role: "user", content: "y" }],
    });
    expect(c.text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(c.text).not.toContain('"usage"');
  });

  it("lists models and 404s unknown routes", async () => {
    const models = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["m1", "m2"]);
    expect((await post(`${server.url}/nope`, {})).status).toBe(404);
  });

  it("gives each new conversation its own lane from a per-lane script, then says done", async () => {
    server.setScript({ lanes: [[{ text: "lane zero" }], [{ text: "lane one" }]] });
    const client = createOpenAIChatClient({
      providerName: "local",
      model: "m",
      baseURL: server.url,
      apiKey: "k",
      contextWindow: 1000,
    });
    expect((await collect(client.stream(request([{ role: "user", text: "a" }])))).text).toBe("lane zero");
    expect((await collect(client.stream(request([{ role: "user", text: "b" }])))).text).toBe("lane one");
    expect((await collect(client.stream(request([{ role: "user", text: "c" }])))).text).toBe("done");
    expect(server.requests.at(-1)?.reply).toEqual({ text: "done" });
    expect(server.requests.at(-1)?.lane).toBe(2);
  });

  it("gives function scripts a provider-neutral view of the request", async () => {
    const seen: NormalizedRequest[] = [];
    server.setScript((ctx) => {
      seen.push(ctx.request);
      return ctx.step === 0 ? { toolCalls: [{ name: "shell", input: { cmd: "pwd" } }] } : { text: "ok" };
    });
    const client = createOpenAIChatClient({
      providerName: "local",
      model: "m",
      baseURL: server.url,
      apiKey: "k",
      contextWindow: 1000,
    });
    const items: ConversationItem[] = [{ role: "user", text: "where?" }];
    const first = await collect(client.stream(request(items, [SHELL])));
    items.push(
      { role: "assistant", text: "", toolCalls: first.calls },
      { role: "tool", callId: "call_0_0", name: "shell", output: "/repo" },
    );
    await collect(client.stream(request(items, [SHELL])));
    expect(seen[1]).toMatchObject({
      api: "chat",
      model: "m",
      system: "You are a test agent.",
      tools: ["shell"],
      messages: [
        { role: "user", text: "where?" },
        { role: "assistant", toolCalls: [{ id: "call_0_0", name: "shell", input: { cmd: "pwd" } }] },
        { role: "tool", toolResults: [{ callId: "call_0_0", output: "/repo" }] },
      ],
    });
  });

  it("keeps a retried first request in its lane and moves past the error", async () => {
    server.setScript([{ error: { status: 500 } }, { text: "second try" }]);
    const body = { model: "m", stream: true, messages: [{ role: "user", content: "same" }] };
    expect((await post(`${server.url}/chat/completions`, body)).status).toBe(500);
    expect((await post(`${server.url}/chat/completions`, body)).text).toContain("second try");
    expect(server.requests.slice(-2).map((r) => r.lane)).toEqual([0, 0]);
  });

  it("handles many concurrent multi-step conversations", async () => {
    server.setScript([
      { toolCalls: [{ name: "shell", input: { cmd: "a" } }] },
      { toolCalls: [{ name: "shell", input: { cmd: "b" } }] },
      { text: "finished" },
    ]);
    const client = createOpenAIChatClient({
      providerName: "local",
      model: "m",
      baseURL: server.url,
      apiKey: "k",
      contextWindow: 1000,
    });
    const run = async (i: number): Promise<string> => {
      const items: ConversationItem[] = [{ role: "user", text: `task ${i}` }];
      for (;;) {
        const r = await collect(client.stream(request(items, [SHELL])));
        if (r.calls.length === 0) return r.text;
        items.push({ role: "assistant", text: r.text, toolCalls: r.calls });
        for (const c of r.calls) items.push({ role: "tool", callId: c.callId, name: c.name, output: "ok" });
      }
    };
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => run(i)));
    expect(results.every((t) => t === "finished")).toBe(true);
    const lanes = new Set(server.requests.slice(-150).map((r) => r.lane));
    expect(lanes.size).toBe(50);
  });
});

describe("scripted model without recorded bodies", () => {
  it("keeps lanes and steps but drops bodies", async () => {
    const server = await startScriptedModel({ script: [{ text: "x" }], recordBodies: false });
    try {
      await post(`${server.url}/chat/completions`, {
        model: "m",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(server.requests[0]).toMatchObject({
        body: null,
        normalized: null,
        lane: 0,
        step: 0,
        reply: { text: "x" },
      });
    } finally {
      await server.close();
    }
  });
});

describe("scripted model CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "scripted-cli-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("starts with a script module and prints its URL as JSON", async () => {
    const scriptPath = join(dir, "script.ts");
    await writeFile(scriptPath, 'export const script = [{ text: "from the cli" }];\n');
    const child = spawn(
      join(REPO, "node_modules/.bin/tsx"),
      [join(REPO, "test/support/scripted-model/main.ts"), scriptPath],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        createInterface({ input: child.stdout }).once("line", resolveLine);
        child.once("exit", (code) => reject(new Error(`exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const res = await post(`${url}/chat/completions`, {
        model: "m",
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      });
      expect(res.text).toContain("from the cli");
    } finally {
      child.kill("SIGTERM");
    }
  });
});
