import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { CadreClient } from "@cadre/client";
import { createCadreMcpServer } from "./cadre-mcp-server.ts";

const READ_ONLY = ["get_diff", "get_task", "list_repos", "list_tasks", "wait_for_task"];
const DESTRUCTIVE = ["apply_task", "approve_task"];

/** Codex CLI's rule for running an MCP tool without asking anyone (its approval policy "never" refuses the rest). */
const runsUnattendedInCodex = (tool: Tool): boolean =>
  tool.annotations?.readOnlyHint === true ||
  (tool.annotations?.destructiveHint === false && tool.annotations.openWorldHint === false);

describe("cadre mcp's tool catalog", () => {
  let client: Client;
  let tools: Tool[];

  beforeAll(async () => {
    // Listing tools never reaches Cadre, so the client may point at a port nothing listens on.
    const server = createCadreMcpServer(new CadreClient({ baseUrl: "http://127.0.0.1:9", token: "unused" }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    client = new Client({ name: "catalog-test", version: "1.0.0" });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    tools = (await client.listTools()).tools;
  });

  afterAll(async () => {
    await client?.close();
  });

  it("states every annotation hint and a title on every tool", () => {
    expect(tools.length).toBe(11);
    for (const tool of tools) {
      const hints = tool.annotations ?? {};
      expect(typeof hints.title, tool.name).toBe("string");
      expect(tool.title, tool.name).toBe(hints.title);
      for (const hint of ["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"] as const)
        expect(typeof hints[hint], `${tool.name}.${hint}`).toBe("boolean");
    }
  });

  it("marks reading tools read-only and the tools that write over a clone or the origin destructive", () => {
    const names = (keep: (tool: Tool) => boolean) =>
      tools
        .filter(keep)
        .map((tool) => tool.name)
        .sort();
    expect(names((tool) => tool.annotations?.readOnlyHint === true)).toEqual(READ_ONLY);
    expect(names((tool) => tool.annotations?.destructiveHint === true)).toEqual(DESTRUCTIVE);
    expect(names((tool) => tool.annotations?.openWorldHint === true)).toEqual(["approve_task"]);
    // Read-only tools are also safe to repeat; nothing that adds a task or turn claims to be.
    expect(names((tool) => tool.annotations?.idempotentHint === true)).toEqual(READ_ONLY);
  });

  it("lets an unattended client run everything but the destructive tools", () => {
    const unattended = tools.filter(runsUnattendedInCodex).map((tool) => tool.name);
    expect(unattended.sort()).toEqual(
      tools
        .map((tool) => tool.name)
        .filter((name) => !DESTRUCTIVE.includes(name))
        .sort(),
    );
  });

  it("advertises an object output schema on every tool, naming what it always returns", () => {
    const required = (name: string) => tools.find((tool) => tool.name === name)?.outputSchema?.required ?? [];
    for (const tool of tools) expect(tool.outputSchema?.type, tool.name).toBe("object");
    for (const name of ["get_task", "wait_for_task", "start_task", "answer_question", "approve_task"])
      expect(required(name), name).toEqual(expect.arrayContaining(["id", "status", "attempts", "review"]));
    expect(required("get_diff")).toEqual(
      expect.arrayContaining(["taskId", "files", "filesChanged", "additions", "deletions", "patch"]),
    );
    expect(required("apply_task")).toEqual(expect.arrayContaining(["applied", "conflicted", "skipped"]));
  });
});
