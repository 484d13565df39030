import type { Command } from "commander";
import { describeDelivery, type HunkSelection, type TaskWithAttempts } from "@cadre/protocol";
import { fetchWholeDiff, type CadreClient } from "@cadre/client";
import { parsePatch, selectPatch } from "@cadre/git";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { chooseHunks } from "../hunk-picker.ts";
import { LineReader } from "../line-reader.ts";
import { intBetween } from "../parse-options.ts";
import { readPatchFile } from "../patch-file.ts";
import { resolveAttempt } from "./attempt-target.ts";

interface ApproveOptions {
  attempt?: number;
  merge?: string;
  pushBranch?: string | true;
  patch?: string;
  interactive?: boolean;
  pr?: boolean;
  draft?: boolean;
  base?: string;
  json?: boolean;
}

type How =
  | { kind: "merge"; branch: string }
  | { kind: "push"; branch: string | null }
  | { kind: "pr"; draft: boolean; base: string | null };

/** The ways to deliver, as `cadre approve` lists them when given none (new ones join here). */
export const DELIVERY_CHOICES: { flag: string; what: string }[] = [
  { flag: "--merge <branch>", what: "merge into <branch> (e.g. main) as one commit and push it to the origin" },
  { flag: "--push-branch [name]", what: "push it as a branch of its own (default cadre/<task-slug>)" },
  {
    flag: "--pr [--draft] [--base B]",
    what: "push it to cadre/<task-slug> and open a pull request on the repo's forge (into B, default the task's base)",
  },
];

function choicesText(taskId: string): string {
  const width = Math.max(...DELIVERY_CHOICES.map((c) => c.flag.length));
  return [
    `choose how to deliver task ${taskId}:`,
    ...DELIVERY_CHOICES.map((c) => `  cadre approve ${taskId} ${c.flag.padEnd(width)}  ${c.what}`),
    `add --patch FILE or --interactive to deliver only some hunks; or pull it into your checkout: cadre apply ${taskId}`,
  ].join("\n");
}

/** On a terminal, asks how to deliver: merge into a branch (the task's base by default) or push a branch. */
async function askHow(task: TaskWithAttempts, reader: LineReader): Promise<How> {
  stdio.out(`How should "${task.title}" be delivered?`);
  stdio.out(`  1) merge into a branch and push it (default ${task.baseRef})`);
  stdio.out("  2) push it as a branch of its own");
  for (;;) {
    stdio.out("Choice [1,2,q]? ");
    const answer = ((await reader.next()) ?? "q").trim().toLowerCase();
    if (answer === "q" || answer === "") throw new CliExit(EXIT.usage, "nothing was delivered");
    if (answer === "1") {
      stdio.out(`Branch to merge into [${task.baseRef}]? `);
      return { kind: "merge", branch: ((await reader.next()) ?? "").trim() || task.baseRef };
    }
    if (answer === "2") {
      stdio.out("Branch name [cadre/… chosen for you]? ");
      return { kind: "push", branch: ((await reader.next()) ?? "").trim() || null };
    }
  }
}

async function howFrom(opts: ApproveOptions, client: CadreClient, id: string, reader: () => LineReader): Promise<How> {
  if ([opts.merge, opts.pushBranch, opts.pr].filter(Boolean).length > 1)
    throw new CliExit(EXIT.usage, "choose one of --merge <branch>, --push-branch [name] or --pr");
  if ((opts.draft || opts.base) && !opts.pr) throw new CliExit(EXIT.usage, "--draft and --base go with --pr");
  if (opts.pr) return { kind: "pr", draft: opts.draft ?? false, base: opts.base ?? null };
  if (opts.merge) return { kind: "merge", branch: opts.merge };
  if (opts.pushBranch) return { kind: "push", branch: typeof opts.pushBranch === "string" ? opts.pushBranch : null };
  if (!process.stdin.isTTY || !stdio.isTTY) throw new CliExit(EXIT.usage, choicesText(id));
  return askHow(await client.call("getTask", { params: { id } }), reader());
}

/**
 * The hunks to deliver (from --patch FILE, or picked with --interactive; none: the whole change)
 * and the attempt they were picked from.
 */
async function selectionFrom(
  opts: ApproveOptions,
  client: CadreClient,
  id: string,
  reader: () => LineReader,
): Promise<{ selection?: HunkSelection; attempt?: number }> {
  if (opts.patch && opts.interactive) throw new CliExit(EXIT.usage, "choose one of --patch FILE or --interactive");
  const named = opts.attempt ? { attempt: opts.attempt } : {};
  if (opts.patch) return { ...named, selection: { patch: await readPatchFile(opts.patch) } };
  if (!opts.interactive) return named;
  const { attempt } = await resolveAttempt(client, id, opts.attempt);
  const diff = await fetchWholeDiff(client, attempt.id);
  const files = parsePatch(diff.patch);
  const patch = selectPatch(files, await chooseHunks(files, stdio, reader(), "Deliver"));
  if (!patch.trim()) throw new CliExit(EXIT.ok, "nothing chosen: nothing was delivered");
  // The hunks belong to this attempt: deliver from it, whichever the server would pick.
  return { attempt: attempt.index, selection: { patch, head: diff.head } };
}

function approveBody(how: How, common: { attempt?: number; selection?: HunkSelection }) {
  if (how.kind === "merge") return { ...common, merge: how.branch };
  if (how.kind === "push") return { ...common, pushBranch: how.branch };
  return { ...common, pullRequest: { draft: how.draft, ...(how.base ? { base: how.base } : {}) } };
}

export function registerApproveCommand(program: Command): void {
  program
    .command("approve")
    .description(
      "deliver an attempt as one commit: merge it into a branch and push, or push it as its own branch (all of it, or chosen hunks)",
    )
    .argument("<task>", "task id")
    .option("--attempt <n>", "which attempt (default: the only completed one)", intBetween(1, 8, "--attempt"))
    .option("--merge <branch>", "merge into <branch> and push it to the origin")
    .option("--push-branch [name]", "push the attempt as its own branch (default cadre/<task-slug>)")
    .option(
      "--patch <file>",
      "deliver only the hunks in this patch (e.g. the web app's download, or part of cadre diff)",
    )
    .option("--interactive", "choose the hunks to deliver one by one (y/n/a/d/q), like git add -p")
    .option("--pr", "push to cadre/<task-slug> and open a pull request on the repo's forge")
    .option("--draft", "with --pr: open it as a draft")
    .option("--base <branch>", "with --pr: the branch to merge into (default: the task's base branch)")
    .option("--json", "print JSON")
    .action(async (id: string, opts: ApproveOptions, cmd: Command) => {
      const client = await clientFor(cmd);
      // Made on first use only: an open reader on stdin would keep a script waiting.
      const lines: { reader: LineReader | null } = { reader: null };
      const reader = () => (lines.reader ??= new LineReader());
      try {
        const how = await howFrom(opts, client, id, reader);
        const common = await selectionFrom(opts, client, id, reader);
        const t = await client.call("approveTask", { params: { id }, body: approveBody(how, common) });
        if (opts.json) return printJson(stdio, t);
        const delivery = t.review.delivery;
        stdio.out(delivery ? describeDelivery(delivery) : `task ${t.id} ${t.review.state}`);
        if (delivery?.kind === "pull_request") stdio.out(delivery.url);
      } finally {
        lines.reader?.close();
      }
    });
}
