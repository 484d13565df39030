import type { Command } from "commander";
import { Option } from "commander";
import { parseStatus, STATUS_LABELS, type AttemptStatus, type TaskWithAttempts } from "@cadre/protocol";
import { InvalidArgumentError } from "commander";
import { clientFor, printJson, stdio, type Output } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";
import { waitForAttempts } from "../wait-for-attempts.ts";
import { Progress } from "../progress.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { renderTask, renderTaskRow } from "../render-task.ts";
import { pendingInputs, type CadreClient } from "@cadre/client";
import { renderPending } from "../render-pending.ts";
import { repoFromClone } from "../infer-repo.ts";

function statusOption(value: string): AttemptStatus {
  const status = parseStatus(value);
  if (!status) throw new InvalidArgumentError(`unknown status; one of: ${Object.values(STATUS_LABELS).join(", ")}`);
  return status;
}

/** The exit code that reports how a waited-for task ended. */
export function exitForTask(t: TaskWithAttempts): number {
  if (t.attempts.some((a) => a.status === "waiting_for_input")) return EXIT.waiting;
  if (t.attempts.some((a) => a.status === "completed")) return EXIT.ok;
  return EXIT.taskFailed;
}

/** A task for people: its state, then what any waiting attempt asks and the command that answers it. */
export async function printTask(client: CadreClient, task: TaskWithAttempts, o: Output = stdio): Promise<void> {
  o.out(renderTask(task, o.isTTY));
  const pending = await pendingInputs(client, task.attempts);
  if (pending.length) o.out(renderPending(task.id, pending, task.attempts.length > 1));
  if (task.status === "failed")
    o.out(`  retry it with another model: cadre task retry ${task.id} --model <provider/model> (see 'cadre models')`);
}

/** Waits for the runs started just now (attempts whose seq moved past `before`), with progress. */
export async function waitAndReport(
  client: CadreClient,
  task: TaskWithAttempts,
  before: Map<string, number>,
  opts: { json?: boolean; follow?: boolean; output?: Output },
): Promise<never> {
  const o = opts.output ?? stdio;
  const progress = Progress.for(o, opts, `task ${task.id}`);
  let final: TaskWithAttempts;
  try {
    final = await waitForAttempts(client, task, before, { onEvent: (e, i) => progress.event(e, i) });
  } finally {
    progress.stop();
  }
  if (opts.json) printJson(o, final);
  else await printTask(client, final, o);
  throw new CliExit(exitForTask(final));
}

interface NewTaskFlags {
  repo?: string;
  base?: string;
  attempts: number;
  model?: string;
  mode: "code" | "ask" | "plan";
  /** A name, false for --no-env, undefined for the repo's default. */
  env?: string | false;
  title?: string;
  wait?: boolean;
  follow?: boolean;
  json?: boolean;
  queueBehindConflicts?: boolean;
}

export function registerTaskCommands(program: Command): void {
  const task = program.command("task").description("create, list, show and cancel tasks");

  task
    .command("new")
    .description("start a task: an agent works on <prompt> in a sandbox made from the repo")
    .argument("<prompt>", "what to do, in plain language (quote it)")
    // Extra words are an unquoted prompt: refused below with the quoted command to run instead.
    .allowExcessArguments(true)
    .option("--repo <name>", "repo name or id (default: the repo this folder is a clone of; see 'cadre repo list')")
    .option("--base <ref>", "branch, tag or commit to start from (default: the repo's default branch)")
    .option("--attempts <n>", "parallel attempts, best-of-N (1-8)", intBetween(1, 8, "--attempts"), 1)
    .option("--model <provider/model>", "model to use (see 'cadre models'; default from $CADRE_HOME/config.json)")
    .addOption(
      new Option("--mode <mode>", "code: change the code; ask: read-only answer; plan: propose a plan first")
        .choices(["code", "ask", "plan"])
        .default("code"),
    )
    .option(
      "--env <name>",
      "environment to prepare the sandbox with (default: the repo's own environment, if it has one)",
    )
    .option("--no-env", "no environment, even if the repo has one")
    .option("--title <text>", "short title (default: the prompt's first line)")
    .option("--queue-behind-conflicts", "start only after the active tasks it may conflict with have finished")
    .option("--wait", "wait until the task finishes or asks for input")
    .option("--follow", "with --wait, print the live log")
    .option("--json", "print JSON")
    .action(async (prompt: string, opts: NewTaskFlags, cmd: Command) => {
      const more = cmd.args.slice(1);
      if (more.length)
        throw new CliExit(
          EXIT.usage,
          `error: the prompt must be one argument: quote it, e.g. cadre task new "${[prompt, ...more].join(" ").replace(/["$`\\]/g, "\\$&")}"${opts.repo ? ` --repo ${opts.repo}` : ""}`,
        );
      const client = await clientFor(cmd);
      const repo = opts.repo ?? (await repoFromClone(client, process.cwd()));
      const created = await client.call("createTask", {
        body: {
          prompt,
          repo,
          attempts: opts.attempts,
          mode: opts.mode,
          ...(opts.base ? { baseRef: opts.base } : {}),
          ...(opts.model ? { model: opts.model } : {}),
          ...(typeof opts.env === "string"
            ? { environment: opts.env }
            : opts.env === false
              ? { environment: null }
              : {}),
          ...(opts.title ? { title: opts.title } : {}),
          ...(opts.queueBehindConflicts ? { queueBehindConflicts: true } : {}),
        },
      });
      if (!opts.wait) {
        if (opts.json) printJson(stdio, created);
        else
          stdio.out(`${created.id}\n${stdio.isTTY ? `follow it with: cadre logs ${created.id} --follow` : ""}`.trim());
        return;
      }
      if (!opts.json && !opts.follow) stdio.err(`created task ${created.id}`);
      await waitAndReport(client, created, new Map(created.attempts.map((a) => [a.id, 0])), opts);
    });

  task
    .command("list")
    .description("list tasks, newest first")
    .option(
      "--status <status>",
      `only tasks in this status: ${Object.values(STATUS_LABELS).join(", ")} (or waiting_for_input, ...)`,
      statusOption,
    )
    .option("--repo <name>", "only tasks of this repo")
    .option("--search <text>", "only tasks whose title or prompt contains this")
    .option("--limit <n>", "how many", intBetween(1, 1000, "--limit"), 50)
    .option("--json", "print JSON")
    .action(
      async (
        opts: { status?: AttemptStatus; repo?: string; search?: string; limit: number; json?: boolean },
        cmd: Command,
      ) => {
        const client = await clientFor(cmd);
        const page = await client.call("listTasks", {
          query: {
            limit: opts.limit,
            ...(opts.status ? { status: opts.status } : {}),
            ...(opts.repo ? { repo: opts.repo } : {}),
            ...(opts.search ? { q: opts.search } : {}),
          },
        });
        if (opts.json) return printJson(stdio, page.items);
        if (page.items.length === 0)
          return stdio.out("no tasks yet: start one with 'cadre task new \"<prompt>\" --repo <name>'");
        for (const t of page.items) stdio.out(renderTaskRow(t));
      },
    );

  task
    .command("show")
    .description("show a task, its attempts, review state and conflicts")
    .argument("<task>", "task id")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const t = await client.call("getTask", { params: { id } });
      if (opts.json) return printJson(stdio, t);
      await printTask(client, t);
      if (t.attempts.some((a) => a.status === "queued")) {
        const { items } = await client.call("listQueue");
        for (const q of items.filter((e) => e.taskId === t.id)) {
          const a = t.attempts.find((x) => x.id === q.attemptId);
          stdio.out(`  attempt #${a?.index ?? "?"} is number ${q.position} in the queue`);
        }
      }
    });

  task
    .command("retry")
    .description(
      "start a failed task again as a new task, on another model: same prompt, repo, branch, environment, mode",
    )
    .argument("<task>", "task id")
    .requiredOption("--model <provider/model>", "the model to retry with (see 'cadre models')")
    .option("--wait", "wait until the new task finishes or asks for input")
    .option("--follow", "with --wait, print the live log")
    .option("--json", "print JSON")
    .action(
      async (id: string, opts: { model: string; wait?: boolean; follow?: boolean; json?: boolean }, cmd: Command) => {
        const client = await clientFor(cmd);
        const t = await client.call("getTask", { params: { id } });
        const created = await client.call("createTask", {
          body: {
            prompt: t.prompt,
            repo: t.repoId,
            baseRef: t.baseRef,
            environment: t.environmentId,
            attempts: t.attemptCount,
            mode: t.mode,
            title: t.title,
            model: opts.model,
          },
        });
        if (!opts.wait) return opts.json ? printJson(stdio, created) : stdio.out(created.id);
        if (!opts.json && !opts.follow) stdio.err(`created task ${created.id} (a retry of ${t.id} on ${opts.model})`);
        await waitAndReport(client, created, new Map(created.attempts.map((a) => [a.id, 0])), opts);
      },
    );

  task
    .command("cancel")
    .description("cancel a task: running commands and model calls stop within a second; partial diffs are kept")
    .argument("<task>", "task id")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const t = await client.call("cancelTask", { params: { id } });
      if (opts.json) return printJson(stdio, t);
      stdio.out(`cancel requested for ${t.id}`);
    });
}
