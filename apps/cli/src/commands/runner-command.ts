import { hostname } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";
import { CliExit, EXIT } from "../exit-codes.ts";

/** `cadre runner`: a standalone runner on the shared PostgreSQL queue (scale-out). */
export function registerRunnerCommand(program: Command): void {
  program
    .command("runner")
    .description("run a standalone runner that claims attempts from the shared PostgreSQL queue")
    .option("--server-db <url>", "the PostgreSQL URL the servers use (default: CADRE_DATABASE_URL)")
    .option("--slots <n>", "attempts run at once", intBetween(1, 256, "--slots"), 2)
    .option("--name <name>", "name shown by 'cadre runners' (default: host-pid)")
    .option("--mirrors <dir>", "the server's mirror root, shared by every runner (default: $CADRE_HOME/mirrors)")
    .action(async (o: { serverDb?: string; slots: number; name?: string; mirrors?: string }) => {
      const databaseUrl = o.serverDb ?? process.env.CADRE_DATABASE_URL;
      if (!databaseUrl)
        throw new CliExit(
          EXIT.usage,
          "error: a standalone runner needs the servers' PostgreSQL: pass --server-db postgres://... or set CADRE_DATABASE_URL",
        );
      const { cadreHome, secureCadreHome } = await import("@cadre/server");
      const { startStandaloneRunner } = await import("@cadre/runner");
      const home = cadreHome();
      await secureCadreHome(home);
      const name = o.name ?? `${hostname()}-${process.pid}`;
      const running = await startStandaloneRunner({
        databaseUrl,
        home,
        slots: o.slots,
        name,
        mirrors: o.mirrors ?? join(home, "mirrors"),
        log: (l) => stdio.err(l),
      });
      stdio.err(
        `Cadre runner ${name} (${running.runner.id}) is running with ${o.slots} slot${o.slots === 1 ? "" : "s"} (home ${home})`,
      );
      let closing = false;
      const shutdown = async () => {
        if (closing) return;
        closing = true;
        stdio.err("stopping: running attempts go back to the queue");
        await running.stop();
        process.exit(0);
      };
      process.on("SIGINT", () => void shutdown());
      process.on("SIGTERM", () => void shutdown());
      await new Promise<never>(() => undefined);
    });
}
