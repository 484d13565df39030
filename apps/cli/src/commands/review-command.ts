import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { Progress } from "../progress.ts";
import { waitForAttempts } from "../wait-for-attempts.ts";
import { localDiff, type DiffSource } from "../review/local-diff.ts";
import { renderFindings } from "../review/render-findings.ts";
import { reviewBase, serverRepoFor } from "../review/server-repo.ts";
import {
  parseFindings,
  reachesThreshold,
  reviewPrompt,
  SEVERITIES,
  type Severity,
  type TaskWithAttempts,
} from "@cadre/protocol";
import { exitForTask } from "./task-commands.ts";

interface ReviewFlags {
  staged?: boolean;
  base?: string;
  failOn?: Severity;
  repo?: string;
  model?: string;
  json?: boolean;
}

export function registerReviewCommand(program: Command): void {
  program
    .command("review")
    .description("review a local diff with an 'ask' task and print findings (file, line, severity, explanation)")
    .option("--staged", "review the staged changes (what 'git commit' would record)")
    .option("--base <ref>", "review the changes since <ref> (as a pull request would show them)")
    .addOption(
      new Option("--fail-on <severity>", "exit with 1 when a finding is at least this severe").choices([...SEVERITIES]),
    )
    .option("--repo <name>", "the Cadre repo (default: the one whose origin is this clone or one of its remotes)")
    .option("--model <provider/model>", "model to review with")
    .option("--json", "print the findings as JSON")
    .addHelpText(
      "after",
      "\nWithout --staged or --base, the uncommitted changes (staged and not) are reviewed.\nInstall it as a pre-commit hook with 'cadre hook install'.",
    )
    .action(async (opts: ReviewFlags, cmd: Command) => {
      if (opts.staged && opts.base) throw new InvalidArgumentError("choose one of --staged or --base <ref>");
      const source: DiffSource = opts.staged
        ? { kind: "staged" }
        : opts.base
          ? { kind: "base", ref: opts.base }
          : { kind: "work-tree" };
      const { root, diff, what } = await localDiff(process.cwd(), source);
      if (!diff.trim()) {
        if (opts.json) printJson(stdio, { task: null, findings: [] });
        else stdio.err(`nothing to review: ${what} are empty`);
        return;
      }
      const client = await clientFor(cmd);
      const { repo, sameTree } = await serverRepoFor(client, root, opts.repo);
      const baseRef = await reviewBase(root, repo, sameTree);
      const { prompt, truncated } = reviewPrompt(diff, what);
      if (truncated) stdio.err(`warning: the diff is ${diff.length} characters; only the first part is reviewed`);
      const created = await client.call("createTask", {
        body: {
          prompt,
          repo: repo.id,
          baseRef,
          mode: "ask",
          attempts: 1,
          title: `Review: ${what}`.slice(0, 200),
          ...(opts.model ? { model: opts.model } : {}),
        },
      });
      const progress = Progress.for(stdio, { json: opts.json ?? false }, `reviewing (task ${created.id})`);
      let task: TaskWithAttempts;
      try {
        task = await waitForAttempts(client, created, new Map(created.attempts.map((a) => [a.id, 0])), {
          onEvent: (e, i) => progress.event(e, i),
        });
      } finally {
        progress.stop();
      }
      const attempt = task.attempts[0];
      if (!attempt || attempt.status !== "completed") {
        throw new CliExit(
          exitForTask(task) === EXIT.ok ? EXIT.taskFailed : exitForTask(task),
          `the review task ${task.id} did not finish (${attempt?.status ?? "no attempt"}${attempt?.failureMessage ? `: ${attempt.failureMessage}` : ""}); see 'cadre logs ${task.id}'`,
        );
      }
      const findings = parseFindings(attempt.summary ?? "");
      if (!findings) {
        // A gate must not pass silently on an answer it cannot read.
        throw new CliExit(
          EXIT.taskFailed,
          `the review's answer has no findings block; read it with 'cadre task show ${task.id}'`,
        );
      }
      if (opts.json) printJson(stdio, { task: task.id, findings });
      else stdio.out(renderFindings(findings, stdio.isTTY));
      if (opts.failOn && reachesThreshold(findings, opts.failOn)) {
        throw new CliExit(EXIT.taskFailed, `review: findings at or above ${opts.failOn} (task ${task.id})`);
      }
    });
}
