import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** `cadre reject`: ends a task's review without delivering its change. */
export function registerRejectCommand(program: Command): void {
  program
    .command("reject")
    .description("reject a task's change")
    .argument("<task>", "task id")
    .option("--reason <text>", "why, for the record")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { reason?: string; json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const t = await client.call("rejectTask", { params: { id }, body: opts.reason ? { reason: opts.reason } : {} });
      if (opts.json) return printJson(stdio, t);
      stdio.out(`rejected ${t.id}`);
    });
}
