import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** `cadre runners`: the runners with their load. */
export function registerRunnerListCommand(program: Command): void {
  program
    .command("runners")
    .description("list runners with their load")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const { items } = await client.call("listRunners");
      if (o.json) return printJson(stdio, items);
      if (items.length === 0) return stdio.out("no runners: 'cadre serve' runs one, or start 'cadre runner'");
      for (const r of items)
        stdio.out(
          `${r.name.padEnd(28)} ${r.alive ? "alive" : "gone "}  ${r.activeAttempts}/${r.slots} slots  images ${r.imageBytes === null ? "-" : `${(r.imageBytes / 1e6).toFixed(1)} MB`}  heartbeat ${r.lastHeartbeatAt}`,
        );
    });
}
