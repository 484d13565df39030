import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CadreClient } from "@cadre/client";
import { registerTaskTools } from "./task-tools.ts";

/** An MCP server exposing Cadre's tasks as tools, so other agents and editors can delegate work. */
export function createCadreMcpServer(client: CadreClient): McpServer {
  const server = new McpServer(
    { name: "cadre", version: "0.1.0" },
    {
      instructions:
        "Cadre runs coding agents in sandboxes on your repositories. Start a task with start_task (wait: true to block until it is done), read the result with get_task and get_diff, and bring the change into a local clone with apply_task.",
    },
  );
  registerTaskTools(server, client);
  return server;
}
