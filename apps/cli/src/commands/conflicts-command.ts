import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** `cadre conflicts`: which finished, unapplied tasks of a repo conflict with the target branch or each other. */
export function registerConflictsCommand(program: Command): void {
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
