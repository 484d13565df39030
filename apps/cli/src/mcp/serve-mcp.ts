import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import type { CadreClient } from "@cadre/client";
import { createCadreMcpServer } from "./cadre-mcp-server.ts";

/** Serves Cadre's MCP tools on stdin/stdout for as long as the MCP client keeps stdin open. */
export async function serveMcp(client: CadreClient): Promise<void> {
  const server = createCadreMcpServer(client);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
}
