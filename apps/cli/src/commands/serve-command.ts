import type { Command } from "commander";
import { stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";

/**
 * A new admin token is shown once, and only on a terminal: output that is not one usually ends
 * up in a log file or a journal, where anyone who reads the log would get the admin's token.
 */
function announceToken(server: { tokenCreated: boolean; token: string; tokenPath: string }): void {
  if (!server.tokenCreated) return;
  if (stdio.isTTY)
    stdio.out(
      `A new admin API token was created and stored in ${server.tokenPath}:\n  ${server.token}\n(it is shown only this once; it stays readable in that file, by you only)`,
    );
  else
    stdio.err(
      `A new admin API token was created and stored in ${server.tokenPath} (mode 600). It is not printed because this output is not a terminal: read it with 'cat ${server.tokenPath}'.`,
    );
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run Cadre: API server, web app, embedded database (or CADRE_DATABASE_URL) and a local runner")
    .option("--port <n>", "port", intBetween(0, 65535, "--port"), 7700)
    .option("--host <host>", "address to bind (default 127.0.0.1: only this machine)", "127.0.0.1")
    .option(
      "--slots <n>",
      "attempts the embedded runner runs at once (0: no runner in this process)",
      intBetween(0, 256, "--slots"),
      2,
    )
    .action(async (opts: { port: number; host: string; slots: number }) => {
      // Loaded on demand: other commands must start fast and not pay for the server stack.
      const { cadreHome } = await import("@cadre/server");
      const { startCadre } = await import("@cadre/serve");
      const home = cadreHome();
      const server = await startCadre({
        home,
        port: opts.port,
        host: opts.host,
        slots: opts.slots,
        databaseUrl: process.env.CADRE_DATABASE_URL,
        log: (l) => stdio.err(l),
      });
      announceToken(server);
      stdio.err(
        `Cadre is running at ${server.url} (home ${home}, ${process.env.CADRE_DATABASE_URL ? "PostgreSQL" : "embedded PGlite"}, ${opts.slots} runner slot${opts.slots === 1 ? "" : "s"})`,
      );
      if (opts.host !== "127.0.0.1" && opts.host !== "localhost" && opts.host !== "::1")
        stdio.err(
          `warning: listening on ${opts.host}: anyone who can reach it and has the token can run code in sandboxes`,
        );
      let closing = false;
      const shutdown = async () => {
        if (closing) return;
        closing = true;
        stdio.err("stopping: running attempts go back to the queue and resume on the next start");
        await server.close();
        process.exit(0);
      };
      process.on("SIGINT", () => void shutdown());
      process.on("SIGTERM", () => void shutdown());
      await new Promise<never>(() => undefined);
    });
}
