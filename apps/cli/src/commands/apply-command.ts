import type { Command } from "commander";
import { CadreError, describeSelection } from "@cadre/protocol";
import { fetchWholeDiff } from "@cadre/client";
import {
  applyPatchToWorkTree,
  countSelection,
  matchSelection,
  parsePatch,
  patchFilePath,
  selectPatch,
  workTreeRoot,
  type PatchFile,
  type PatchSelection,
} from "@cadre/git";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { chooseHunks } from "../hunk-picker.ts";
import { readPatchFile } from "../patch-file.ts";
import { collect, intBetween } from "../parse-options.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { LineReader } from "../line-reader.ts";
import { resolveAttempt } from "./attempt-target.ts";

/** Only the named files of a change (paths as in the change; a leading ./ is ignored). */
function onlyFiles(files: PatchFile[], names: string[]): PatchFile[] {
  const wanted = new Set(names.map((f) => f.replace(/^\.\//, "")));
  const known = new Set(files.flatMap((f) => [f.newPath, f.oldPath].filter((p): p is string => Boolean(p))));
  const missing = [...wanted].filter((f) => !known.has(f));
  if (missing.length)
    throw new CadreError(
      "bad_request",
      `not in the change: ${missing.join(", ")} (it touches ${[...known].join(", ")})`,
    );
  return files.filter((f) => wanted.has(f.newPath ?? "") || wanted.has(f.oldPath ?? ""));
}

export function registerApplyCommand(program: Command): void {
  program
    .command("apply")
    .description(
      "pull a task's change into the git working tree you are in (preflight with git apply --check, then --3way)",
    )
    .argument("<task>", "task id (or attempt id)")
    .option("--attempt <n>", "which attempt (default: the chosen or only completed one)", intBetween(1, 8, "--attempt"))
    .option("--file <path>", "only this file (repeatable)", collect)
    .option("--interactive", "choose hunk by hunk (y/n/a/d/q), like git add -p")
    .option(
      "--patch <file>",
      "apply this patch (e.g. the hunks chosen in the web app) instead of the attempt's whole diff",
    )
    .option("--no-record", "do not record the task as pulled locally")
    .option("--json", "print the result as JSON")
    .action(
      async (
        id: string,
        opts: {
          attempt?: number;
          file?: string[];
          interactive?: boolean;
          patch?: string;
          record: boolean;
          json?: boolean;
        },
        cmd: Command,
      ) => {
        const client = await clientFor(cmd);
        const root = await workTreeRoot(process.cwd());
        const { task, attempt } = await resolveAttempt(client, id, opts.attempt);
        const change = parsePatch((await fetchWholeDiff(client, attempt.id)).patch);
        let files = opts.patch ? parsePatch(await readPatchFile(opts.patch)) : change;
        if (files.length === 0) throw new CliExit(EXIT.ok, `attempt ${attempt.index} of ${task.id} changed nothing`);
        if (opts.file?.length) files = onlyFiles(files, opts.file);
        let selection: PatchSelection = { files: files.map(patchFilePath) };
        if (opts.interactive) {
          const reader = new LineReader();
          try {
            selection = await chooseHunks(files, stdio, reader);
          } finally {
            reader.close();
          }
        }
        const patch = selectPatch(files, selection);
        const chosen = new Set([...(selection.files ?? []), ...(selection.hunks ?? []).map((h) => h.path)]);
        const skippedByChoice = files.map(patchFilePath).filter((p) => !chosen.has(p));
        if (!patch.trim()) {
          if (opts.json) return printJson(stdio, { applied: [], conflicted: [], skipped: skippedByChoice });
          return stdio.out("nothing chosen: the working tree is unchanged");
        }
        const result = await applyPatchToWorkTree({ cwd: root, patch, threeWay: true });
        const report = {
          applied: result.applied,
          conflicted: result.conflicted,
          skipped: [...result.skipped, ...skippedByChoice],
        };
        // What was pulled, measured against the attempt's whole change (a --patch file may hold part of it).
        const selected = opts.patch
          ? matchSelection(change, parsePatch(patch)).counts
          : countSelection(change, selection);
        const pulledSome = report.applied.length + report.conflicted.length > 0;
        const recorded =
          opts.record && pulledSome && task.review.state === "pending"
            ? await client
                .call("approveTask", {
                  params: { id: task.id },
                  body: { attempt: attempt.index, pulledLocally: true, selected },
                })
                .catch(() => null)
            : null;
        if (opts.json) printJson(stdio, { ...report, selected });
        else {
          for (const p of report.applied) stdio.out(`applied     ${p}`);
          for (const p of report.conflicted) stdio.out(`conflicted  ${p}   (resolve the markers, then git add)`);
          for (const p of report.skipped) stdio.out(`skipped     ${p}`);
          if (recorded?.review.state === "pending")
            stdio.out(
              `pulled locally: ${describeSelection(selected)}; the review stays open (cadre approve, reject or followup ${task.id})`,
            );
        }
        if (report.conflicted.length) throw new CliExit(EXIT.conflict);
      },
    );
}
