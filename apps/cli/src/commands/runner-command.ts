import { hostname } from "node:os";
import { resolve } from "node:path";
import { InvalidArgumentError, type Command } from "commander";
import { RunnerName } from "@cadre/protocol";
import { stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { registerRunnerTokenCommands } from "./runner-token-commands.ts";

interface RunnerFlags {
  server?: string;
  tokenFile?: string;
  slots: number;
  name?: string;
  cache?: string;
  health?: { host: string; port: number };
  serverDb?: string;
  mirrors?: string;
}

function serverUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("--server must be the server's URL, e.g. https://cadre.example.com");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new InvalidArgumentError("--server must be an http:// or https:// URL");
  return url.toString().replace(/\/+$/, "");
}

function hostPort(value: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new InvalidArgumentError("--health must be host:port, e.g. 0.0.0.0:7701");
  return { host: (match[1] ?? match[2]) as string, port };
}

function runnerName(value: string): string {
  const parsed = RunnerName.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(parsed.error.issues[0]?.message ?? "invalid runner name");
  return value;
}

/** Runners once reached PostgreSQL and a shared mirror root directly; those flags now say what replaced them. */
function refuseRemovedFlags(o: RunnerFlags): void {
  if (o.serverDb === undefined && o.mirrors === undefined) return;
  throw new CliExit(
    EXIT.usage,
    "error: runners no longer connect to the database or share the mirror root. Make a runner token on the server ('cadre runner token create <name>'), save it to a file (mode 600), and start: cadre runner --server <url> --token-file <file> (see docs/runners.md)",
  );
}

/** `cadre runner`: a runner on this machine that reaches the server over HTTP(S) with a runner token. */
export function registerRunnerCommand(program: Command): void {
  const runner = program
    .command("runner")
    .description("run attempts on this machine for a Cadre server, over HTTP(S) with a runner token")
    .option("--server <url>", "the server's URL (default: CADRE_URL)", serverUrl)
    .option("--token-file <file>", "file holding the runner token, mode 600 (default: CADRE_RUNNER_TOKEN_FILE)")
    .option("--slots <n>", "attempts run at once", intBetween(1, 256, "--slots"), 2)
    .option("--name <name>", "name shown by 'cadre runners' (default: the host name)", runnerName)
    .option("--cache <dir>", "where repositories are cached (default: $CADRE_HOME/cache)")
    .option("--health <host:port>", "serve GET /healthz there for probes", hostPort)
    .addOption(program.createOption("--server-db <url>").hideHelp())
    .addOption(program.createOption("--mirrors <dir>").hideHelp())
    .action(async (o: RunnerFlags) => {
      refuseRemovedFlags(o);
      const server = o.server ?? (process.env.CADRE_URL ? serverUrl(process.env.CADRE_URL) : undefined);
      const tokenFile = o.tokenFile ?? process.env.CADRE_RUNNER_TOKEN_FILE;
      if (!server || !tokenFile)
        throw new CliExit(
          EXIT.usage,
          "error: a runner needs the server's URL and a runner token: cadre runner --server <url> --token-file <file> (an admin makes the token with 'cadre runner token create <name>')",
        );
      const { cadreHome, secureCadreHome } = await import("@cadre/server/home");
      const { startRemoteRunner } = await import("@cadre/runner");
      const home = cadreHome();
      await secureCadreHome(home);
      const name =
        o.name ??
        runnerName(
          hostname()
            .toLowerCase()
            .replace(/[^a-z0-9.-]/g, "-")
            .replace(/^[^a-z0-9]+/, "") || "runner",
        );
      let exitCode: number = EXIT.ok;
      const running = await startRemoteRunner({
        server,
        tokenFile: resolve(tokenFile),
        slots: o.slots,
        name,
        home,
        ...(o.cache ? { cache: resolve(o.cache) } : {}),
        ...(o.health ? { health: o.health } : {}),
        log: (line) => stdio.err(line),
        onRefused: () => {
          exitCode = EXIT.unauthorized;
          void shutdown();
        },
      });
      stdio.err(
        `Cadre runner ${name} (${running.runner.id}) is running with ${o.slots} slot${o.slots === 1 ? "" : "s"} for ${server} (home ${home})${running.healthUrl ? `, health at ${running.healthUrl}` : ""}`,
      );
      let closing = false;
      async function shutdown(): Promise<void> {
        if (closing) return;
        closing = true;
        stdio.err(
          exitCode === EXIT.ok
            ? "stopping: running attempts go back to the queue"
            : "stopping: the server refused this runner",
        );
        await running.stop();
        process.exit(exitCode);
      }
      process.on("SIGINT", () => void shutdown());
      process.on("SIGTERM", () => void shutdown());
      await new Promise<never>(() => undefined);
    });
  registerRunnerTokenCommands(runner);
}
