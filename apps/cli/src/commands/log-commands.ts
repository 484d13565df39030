import type { Command } from "commander";
import { isParked } from "@cadre/protocol";
import { fetchWholeDiff, streamAttemptEvents } from "@cadre/client";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";
import { formatEvent } from "../format-event.ts";
import { settles } from "../wait-for-attempts.ts";
import { resolveAttempt } from "./attempt-target.ts";

export function registerLogCommands(program: Command): void {
  program
    .command("logs")
    .description("print an attempt's events: status, messages, commands and their output, plan, questions")
    .argument("<task>", "task id (or attempt id)")
    .option("--attempt <n>", "which attempt (default: the chosen or only one)", intBetween(1, 8, "--attempt"))
    .option("--follow", "keep printing new events until the attempt finishes or asks for input")
    .option("--verbose", "also show usage, checkpoints and reasoning")
    .option("--json", "one JSON event per line")
    .action(
      async (
        id: string,
        opts: { attempt?: number; follow?: boolean; verbose?: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const client = await clientFor(cmd);
        const { attempt } = await resolveAttempt(client, id, opts.attempt);
        const print = (e: Parameters<typeof formatEvent>[0]) => {
          if (opts.json) return stdio.out(JSON.stringify(e));
          const line = formatEvent(e, { color: stdio.isTTY, verbose: opts.verbose ?? false });
          if (line) stdio.out(line);
        };
        let after = 0;
        let settled = true;
        for (;;) {
          const page = await client.call("listEvents", { params: { id: attempt.id }, query: { after, limit: 1000 } });
          for (const e of page.items) {
            print(e);
            settled = settles(e) || (settled && e.type !== "status");
            after = e.seq;
          }
          if (page.items.length < 1000) break;
        }
        const fresh = await client.call("getAttempt", { params: { id: attempt.id } });
        const done = isParked(fresh.status);
        if (!opts.follow || (done && settled && after === fresh.lastSeq)) return;
        for await (const e of streamAttemptEvents(client, attempt.id, after)) {
          print(e);
          if (settles(e)) break;
        }
      },
    );

  program
    .command("diff")
    .description("print an attempt's unified diff against the task's base (or one turn's diff)")
    .argument("<task>", "task id (or attempt id)")
    .option("--attempt <n>", "which attempt", intBetween(1, 8, "--attempt"))
    .option("--turn <n>", "only this turn's changes", intBetween(1, 100000, "--turn"))
    .option("--stat", "only per-file stats")
    .option("--json", "print JSON (files with stats, and the patch)")
    .action(
      async (id: string, opts: { attempt?: number; turn?: number; stat?: boolean; json?: boolean }, cmd: Command) => {
        const client = await clientFor(cmd);
        const { attempt } = await resolveAttempt(client, id, opts.attempt);
        const { files, patch, ...totals } = await fetchWholeDiff(client, attempt.id, { turn: opts.turn });
        if (opts.json) return printJson(stdio, { ...totals, files, ...(opts.stat ? {} : { patch }) });
        if (opts.stat) {
          for (const f of files)
            stdio.out(
              `${f.binary ? "bin".padStart(6) : `+${f.additions}`.padStart(6)} ${f.binary ? "" : `-${f.deletions}`.padStart(6)}  ${f.status.padEnd(8)} ${f.oldPath ? `${f.oldPath} → ` : ""}${f.path}`,
            );
          stdio.out(
            `${totals.totalFiles} file${totals.totalFiles === 1 ? "" : "s"} changed, +${totals.additions} -${totals.deletions}`,
          );
          return;
        }
        if (patch) process.stdout.write(patch);
      },
    );
}
