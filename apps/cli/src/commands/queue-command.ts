import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** `cadre queue`: waiting attempts in the order runners will claim them. */
export function registerQueueCommand(program: Command): void {
  program
    .command("queue")
    .description("list waiting attempts with their position (1 = next to start)")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { items } = await (await clientFor(cmd)).call("listQueue");
      if (o.json) return printJson(stdio, items);
      if (items.length === 0) return stdio.out("the queue is empty: every attempt is running or finished");
      for (const q of items)
        stdio.out(`#${String(q.position).padEnd(4)} ${q.taskId}  ${q.attemptId}  ${q.repoId}  priority ${q.priority}`);
    });
}
