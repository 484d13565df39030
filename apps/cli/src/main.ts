import { Command, CommanderError } from "commander";
import { CadreError } from "@cadre/protocol";
import { CliExit, EXIT, EXIT_HELP, exitCodeFor } from "./exit-codes.ts";
import { stdio } from "./cli-context.ts";
import { registerServeCommand } from "./commands/serve-command.ts";
import { registerRepoCommands } from "./commands/repo-commands.ts";
import { registerTaskCommands } from "./commands/task-commands.ts";
import { registerLogCommands } from "./commands/log-commands.ts";
import { registerInteractionCommands } from "./commands/interaction-commands.ts";
import { registerRejectCommand } from "./commands/reject-command.ts";
import { registerConflictsCommand } from "./commands/conflicts-command.ts";
import { registerApproveCommand } from "./commands/approve-command.ts";
import { registerEnvCommands } from "./commands/env-commands.ts";
import { registerRunnerListCommand } from "./commands/runner-list-command.ts";
import { registerApplyCommand } from "./commands/apply-command.ts";
import { registerMcpCommand } from "./commands/mcp-command.ts";
import { registerReviewCommand } from "./commands/review-command.ts";
import { registerHookCommand } from "./commands/hook-command.ts";
import { registerCompletionCommand } from "./commands/completion-command.ts";
import { registerUserCommands } from "./commands/user-commands.ts";
import { registerTokenCommands } from "./commands/token-commands.ts";
import { registerRunnerCommand } from "./commands/runner-command.ts";
import { registerQueueCommand } from "./commands/queue-command.ts";
import { registerForgeCommands } from "./commands/forge-commands.ts";
import { registerAutomationCommands } from "./commands/automation-commands.ts";
import { registerSayCommand } from "./commands/say-command.ts";
import { registerModelsCommand } from "./commands/models-command.ts";

export function buildProgram(): Command {
  const program = new Command("cadre")
    .description("Cadre: self-hosted cloud coding agents")
    .version("0.1.0")
    .option("--url <url>", "server URL (default: CADRE_URL, else the local server in $CADRE_HOME)")
    .option("--token <token>", "API token (default: CADRE_TOKEN, else $CADRE_HOME/token)")
    .showHelpAfterError()
    .exitOverride()
    .addHelpText("after", EXIT_HELP);
  registerServeCommand(program);
  registerRepoCommands(program);
  registerTaskCommands(program);
  registerLogCommands(program);
  registerInteractionCommands(program);
  registerSayCommand(program);
  registerApproveCommand(program);
  registerModelsCommand(program);
  registerRejectCommand(program);
  registerConflictsCommand(program);
  registerEnvCommands(program);
  registerRunnerListCommand(program);
  registerApplyCommand(program);
  registerMcpCommand(program);
  registerReviewCommand(program);
  registerHookCommand(program);
  registerCompletionCommand(program);
  registerUserCommands(program);
  registerTokenCommands(program);
  registerRunnerCommand(program);
  registerQueueCommand(program);
  registerForgeCommands(program);
  registerAutomationCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  let code: number = EXIT.ok;
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CliExit) {
      if (e.message) stdio.err(e.message);
      code = e.code;
    } else if (e instanceof CommanderError) {
      code =
        e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help"
          ? EXIT.ok
          : EXIT.usage;
    } else if (e instanceof CadreError) {
      stdio.err(`error: ${e.message}${e.command ? `\n  run: ${e.command}` : ""}`);
      code = exitCodeFor(e);
    } else {
      stdio.err(`error: ${e instanceof Error ? e.message : String(e)}`);
      code = EXIT.refused;
    }
  }
  process.exitCode = code;
}
