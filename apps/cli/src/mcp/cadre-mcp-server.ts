import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CadreClient } from "@cadre/client";
import { registerDeliveryTools } from "./delivery-tools.ts";
import { registerReadTools } from "./read-tools.ts";
import { registerTaskTools } from "./task-tools.ts";

/** An MCP server exposing Cadre's tasks as tools, so other agents and editors can delegate work. */
export function createCadreMcpServer(client: CadreClient): McpServer {
  const server = new McpServer(
    { name: "cadre", version: "0.1.0" },
    {
      instructions:
        "Cadre runs coding agents in sandboxes on your repositories. Start a task with start_task, follow it with wait_for_task (it returns when the task finishes or asks a question), read the result with get_task and get_diff, then bring the change into a local clone with apply_task or deliver it to the origin with approve_task.",
    },
  );
  registerReadTools(server, client);
  registerTaskTools(server, client);
  registerDeliveryTools(server, client);
  return server;
}
