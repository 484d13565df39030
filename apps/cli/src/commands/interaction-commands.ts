import type { Command } from "commander";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { CadreClient } from "@cadre/client";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";
import { printTask, waitAndReport } from "./task-commands.ts";
import { pendingInputs } from "@cadre/client";
import { CliExit, EXIT } from "../exit-codes.ts";
import { LineReader } from "../line-reader.ts";
import { pickAnswer } from "../pick-answer.ts";
import { renderPending } from "../render-pending.ts";
import { statusLabel } from "@cadre/protocol";

interface WaitFlags {
  wait?: boolean;
  follow?: boolean;
  json?: boolean;
}

/** Sends an instruction that resumes an attempt, then optionally waits for the resumed run. */
async function resumeAndReport(
  client: CadreClient,
  taskId: string,
  opts: WaitFlags,
  send: () => Promise<TaskWithAttempts>,
): Promise<void> {
  const before = await client.call("getTask", { params: { id: taskId } });
  const seqs = new Map(before.attempts.map((a) => [a.id, a.lastSeq]));
  const after = await send();
  if (opts.wait) {
    // Only attempts that were resumed by this request are waited for.
    const resumed = new Map(
      [...seqs].filter(([id]) => {
        const a = after.attempts.find((x) => x.id === id);
        const b = before.attempts.find((x) => x.id === id);
        return a && b && (a.status !== b.status || a.lastSeq !== b.lastSeq || b.status !== "waiting_for_input");
      }),
    );
    await waitAndReport(client, after, resumed.size ? resumed : seqs, opts);
  }
  if (opts.json) printJson(stdio, after);
  else await printTask(client, after);
}

/** No answer on the command line: on a terminal, offer the question's options; elsewhere say how to answer. */
async function askForAnswer(client: CadreClient, taskId: string, attemptIndex: number | undefined): Promise<string> {
  const task = await client.call("getTask", { params: { id: taskId } });
  const waiting = task.attempts.filter(
    (a) => a.status === "waiting_for_input" && a.waitingFor === "answer" && (!attemptIndex || a.index === attemptIndex),
  );
  const several = task.attempts.length > 1;
  if (waiting.length === 0)
    throw new CliExit(
      EXIT.refused,
      `error: task ${taskId} is not waiting for an answer (it is ${statusLabel(task.status)})`,
    );
  if (waiting.length > 1)
    throw new CliExit(EXIT.usage, `error: several attempts are waiting: choose one with --attempt N`);
  const pending = await pendingInputs(client, waiting);
  const interactive = Boolean(process.stdin.isTTY) && stdio.isTTY;
  if (!interactive)
    throw new CliExit(
      EXIT.usage,
      `${renderPending(taskId, pending, several)}\nerror: give the answer as text (no terminal to pick an option on)`,
    );
  const reader = new LineReader();
  try {
    const questions = pending[0]?.questions ?? [];
    if (questions.length === 0) stdio.err("your answer: ");
    const answer = questions.length
      ? await pickAnswer(questions, stdio, reader)
      : (await reader.next())?.trim() || null;
    if (answer === null) throw new CliExit(EXIT.usage, "error: no answer given");
    return answer;
  } finally {
    reader.close();
  }
}

function withWait(cmd: Command): Command {
  return cmd
    .option("--wait", "wait until the resumed run finishes or asks again")
    .option("--follow", "with --wait, print the live log")
    .option("--json", "print JSON");
}

export function registerInteractionCommands(program: Command): void {
  withWait(
    program
      .command("answer")
      .description("answer the question a waiting attempt asked; it resumes from the answer")
      .argument("<task>", "task id")
      .argument("[text...]", "the answer (leave it out on a terminal to pick one of the suggested answers)")
      .option("--attempt <n>", "which attempt (needed when several are waiting)", intBetween(1, 8, "--attempt")),
  ).action(async (id: string, words: string[], opts: WaitFlags & { attempt?: number }, cmd: Command) => {
    const client = await clientFor(cmd);
    const text = words.length ? words.join(" ") : await askForAnswer(client, id, opts.attempt);
    await resumeAndReport(client, id, opts, () =>
      client.call("answerTask", {
        params: { id },
        body: { text, ...(opts.attempt ? { attempt: opts.attempt } : {}) },
      }),
    );
  });

  withWait(
    program
      .command("followup")
      .description("send a follow-up instruction: a new turn in the same conversation and workspace")
      .argument("<task>", "task id")
      .argument("[text...]", "the instruction")
      .option(
        "--attempt <n>",
        "which attempt (default: the chosen or only finished one)",
        intBetween(1, 8, "--attempt"),
      )
      .option("--resolve-conflicts", "rebase onto the target branch's new head and have the agent resolve conflicts"),
  ).action(
    async (
      id: string,
      text: string[],
      opts: WaitFlags & { attempt?: number; resolveConflicts?: boolean },
      cmd: Command,
    ) => {
      const client = await clientFor(cmd);
      await resumeAndReport(client, id, opts, () =>
        client.call("followupTask", {
          params: { id },
          body: {
            text: text.join(" "),
            resolveConflicts: opts.resolveConflicts ?? false,
            ...(opts.attempt ? { attempt: opts.attempt } : {}),
          },
        }),
      );
    },
  );

  const plan = program.command("plan").description("approve or reject a plan-mode task's plan");
  withWait(
    plan
      .command("approve")
      .description("approve the plan: the agent starts editing")
      .argument("<task>", "task id")
      .option("--attempt <n>", "which attempt", intBetween(1, 8, "--attempt"))
      .option("--comment <text>", "extra guidance"),
  ).action(async (id: string, opts: WaitFlags & { attempt?: number; comment?: string }, cmd: Command) => {
    const client = await clientFor(cmd);
    await resumeAndReport(client, id, opts, () =>
      client.call("approvePlan", {
        params: { id },
        body: {
          ...(opts.attempt ? { attempt: opts.attempt } : {}),
          ...(opts.comment ? { comment: opts.comment } : {}),
        },
      }),
    );
  });
  withWait(
    plan
      .command("reject")
      .description("reject the plan with comments: the agent revises it")
      .argument("<task>", "task id")
      .option("--attempt <n>", "which attempt", intBetween(1, 8, "--attempt"))
      .requiredOption("--comment <text>", "what to change"),
  ).action(async (id: string, opts: WaitFlags & { attempt?: number; comment: string }, cmd: Command) => {
    const client = await clientFor(cmd);
    await resumeAndReport(client, id, opts, () =>
      client.call("rejectPlan", {
        params: { id },
        body: { comment: opts.comment, ...(opts.attempt ? { attempt: opts.attempt } : {}) },
      }),
    );
  });
}
