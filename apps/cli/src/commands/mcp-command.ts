import type { Command } from "commander";
import { clientFor } from "../cli-context.ts";

export function registerMcpCommand(program: Command): void {
  program
    .command("mcp")
    .description(
      "run an MCP server on stdin/stdout: tools to start tasks, read their status and diffs, answer, and apply them locally",
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const client = await clientFor(cmd);
      // Loaded on demand: the MCP SDK (with ajv and zod 3) is most of what other commands would parse.
      const { serveMcp } = await import("../mcp/serve-mcp.ts");
      await serveMcp(client);
    });
}
