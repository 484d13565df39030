import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";

export function registerSayCommand(program: Command): void {
  program
    .command("say")
    .description("tell a running attempt something: the agent reads it before its next step, and the run goes on")
    .argument("<task>", "task id")
    .argument("[text...]", "the message")
    .option("--attempt <n>", "which attempt (needed when several are running)", intBetween(1, 8, "--attempt"))
    .option("--stop", "stop and ask me: the agent stops at its next step and waits for your answer")
    .option("--json", "print JSON")
    .addHelpText(
      "after",
      `
Examples:
  cadre say task_abc "use the existing date helpers, not a new library"
  cadre say task_abc --stop            # then: cadre answer task_abc`,
    )
    .action(
      async (id: string, words: string[], opts: { attempt?: number; stop?: boolean; json?: boolean }, cmd: Command) => {
        const client = await clientFor(cmd);
        const text = words.join(" ");
        const sent = await client.call("sendMessage", {
          params: { id },
          body: { text, stop: opts.stop ?? false, ...(opts.attempt ? { attempt: opts.attempt } : {}) },
        });
        if (opts.json) return printJson(stdio, sent);
        stdio.out(
          opts.stop
            ? `sent: the agent stops before its next step and asks you; answer with 'cadre answer ${id}'`
            : "sent: the agent reads it before its next step",
        );
      },
    );
}
