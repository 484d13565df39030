import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { intBetween } from "../parse-options.ts";

export function registerReviewCommands(program: Command): void {
  program
    .command("approve")
    .description("deliver an attempt: merge it into a branch and push, or push it as its own branch")
    .argument("<task>", "task id")
    .option("--attempt <n>", "which attempt (default: the only completed one)", intBetween(1, 8, "--attempt"))
    .option("--merge <branch>", "merge into <branch> and push it to the origin")
    .option("--rebase", "with --merge: if the branch moved, rebase the change onto its new head first")
    .option("--push-branch [name]", "push the attempt as its own branch (default cadre/<task-slug>)")
    .option("--json", "print JSON")
    .action(
      async (
        id: string,
        opts: { attempt?: number; merge?: string; rebase?: boolean; pushBranch?: string | true; json?: boolean },
        cmd: Command,
      ) => {
        if (Boolean(opts.merge) === Boolean(opts.pushBranch))
          throw new InvalidArgumentError("choose one of --merge <branch> or --push-branch [name]");
        const client = await clientFor(cmd);
        const attempt = opts.attempt ? { attempt: opts.attempt } : {};
        const t = await client.call("approveTask", {
          params: { id },
          body: opts.merge
            ? { ...attempt, merge: opts.merge, rebase: opts.rebase ?? false }
            : { ...attempt, pushBranch: typeof opts.pushBranch === "string" ? opts.pushBranch : null },
        });
        if (opts.json) return printJson(stdio, t);
        const d = t.review.delivery;
        stdio.out(
          d && d.kind !== "pulled_locally"
            ? `${d.kind === "merge" ? "merged into" : "pushed as"} ${d.branch} (${d.commit.slice(0, 12)})`
            : `task ${t.id} ${t.review.state}`,
        );
      },
    );

  program
    .command("reject")
    .description("reject a task's change")
    .argument("<task>", "task id")
    .option("--reason <text>", "why, for the record")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { reason?: string; json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const t = await client.call("rejectTask", { params: { id }, body: opts.reason ? { reason: opts.reason } : {} });
      if (opts.json) return printJson(stdio, t);
      stdio.out(`rejected ${t.id}`);
    });

  program
    .command("conflicts")
    .description("which finished, unapplied tasks of a repo conflict with the target branch or each other")
    .requiredOption("--repo <name>", "repo name or id")
    .option("--target <branch>", "target branch (default: the repo's default branch)")
    .option("--json", "print JSON")
    .action(async (opts: { repo: string; target?: string; json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const m = await client.call("repoConflicts", {
        params: { id: opts.repo },
        query: opts.target ? { target: opts.target } : {},
      });
      if (opts.json) return printJson(stdio, m);
      stdio.out(
        `${m.tasks.length} finished task${m.tasks.length === 1 ? "" : "s"} against ${m.target} (${m.targetCommit.slice(0, 12)})`,
      );
      const conflicting = m.pairs.filter((p) => !p.clean);
      if (conflicting.length === 0) stdio.out("no conflicts");
      for (const p of conflicting) stdio.out(`CONFLICT  ${p.a}  ${p.b}  ${p.paths.join(", ")}`);
    });
}
