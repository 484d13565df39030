import type { Command } from "commander";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { clientFor } from "../cli-context.ts";
import { createCadreMcpServer } from "../mcp/cadre-mcp-server.ts";

export function registerMcpCommand(program: Command): void {
  program
    .command("mcp")
    .description(
      "run an MCP server on stdin/stdout: tools to start tasks, read their status and diffs, answer, and apply them locally",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const client = await clientFor(cmd);
      const server = createCadreMcpServer(client);
      const transport = new StdioServerTransport();
      // The command lasts as long as the MCP client keeps stdin open.
      const closed = new Promise<void>((resolve) => {
        transport.onclose = () => resolve();
        process.stdin.once("end", () => resolve());
      });
      await server.connect(transport);
      await closed;
      await server.close();
    });
}
