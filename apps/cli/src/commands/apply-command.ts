import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { CadreError } from "@cadre/protocol";
import { fetchWholeDiff } from "@cadre/client";
import {
  applyPatchToWorkTree,
  parsePatch,
  patchFilePath,
  selectPatch,
  workTreeRoot,
  type PatchFile,
  type PatchSelection,
} from "@cadre/git";
import { clientFor, printJson, stdio, type Output } from "../cli-context.ts";
import { collect, intBetween } from "../parse-options.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { LineReader } from "../line-reader.ts";
import { resolveAttempt } from "./attempt-target.ts";

const paint = (code: number, s: string, on: boolean) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);

/** Walks the hunks like `git add -p`: y accept, n skip, a/d the rest of the file, q quit. */
async function chooseHunks(files: PatchFile[], o: Output, reader: LineReader): Promise<PatchSelection> {
  const selection: Required<PatchSelection> = { files: [], hunks: [] };
  for (const file of files) {
    const path = patchFilePath(file);
    const whole = file.binary || file.hunks.length === 0 || file.status !== "modified";
    const units = whole ? [null] : file.hunks.map((h, i) => ({ h, i }));
    let rest: "accept" | "skip" | null = null;
    for (const [n, unit] of units.entries()) {
      let answer = rest === "accept" ? "y" : rest === "skip" ? "n" : null;
      if (!answer) {
        o.out(
          paint(
            1,
            `\n${whole ? `${file.status} ${file.binary ? "binary " : ""}file ${path}` : `${path} (hunk ${n + 1}/${units.length})`}`,
            o.isTTY,
          ),
        );
        if (unit)
          o.out(
            unit.h.header +
              "\n" +
              unit.h.lines
                .map((l) =>
                  paint(l.startsWith("+") ? 32 : l.startsWith("-") ? 31 : 0, l, o.isTTY && !l.startsWith(" ")),
                )
                .join("\n"),
          );
        for (;;) {
          o.out(`Apply ${whole ? "this file" : "this hunk"} [y,n,a,d,q,?]? `);
          const line = await reader.next();
          answer = (line ?? "q").trim().toLowerCase().slice(0, 1) || "?";
          if ("ynadq".includes(answer)) break;
          o.out(
            "y - apply\nn - skip\na - apply this and the rest of the file\nd - skip this and the rest of the file\nq - stop here (nothing after is applied)",
          );
        }
      }
      if (answer === "q") return selection;
      if (answer === "a") rest = "accept";
      if (answer === "d") rest = "skip";
      if (answer === "y" || answer === "a") {
        if (unit) selection.hunks.push({ path, index: unit.i });
        else selection.files.push(path);
      }
    }
  }
  return selection;
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
        const text = opts.patch
          ? await readFile(opts.patch, "utf8").catch((e: Error) => {
              throw new CadreError("bad_request", `cannot read the patch file ${opts.patch}: ${e.message}`);
            })
          : (await fetchWholeDiff(client, attempt.id)).patch;
        let files = parsePatch(text);
        if (files.length === 0) throw new CliExit(EXIT.ok, `attempt ${attempt.index} of ${task.id} changed nothing`);
        if (opts.file?.length) {
          const wanted = new Set(opts.file.map((f) => f.replace(/^\.\//, "")));
          const known = new Set(files.flatMap((f) => [f.newPath, f.oldPath].filter((p): p is string => Boolean(p))));
          const missing = [...wanted].filter((f) => !known.has(f));
          if (missing.length)
            throw new CadreError(
              "bad_request",
              `not in the change: ${missing.join(", ")} (it touches ${[...known].join(", ")})`,
            );
          files = files.filter((f) => wanted.has(f.newPath ?? "") || wanted.has(f.oldPath ?? ""));
        }
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
        if (opts.record && report.applied.length + report.conflicted.length > 0 && task.review.state === "pending") {
          await client
            .call("approveTask", { params: { id: task.id }, body: { attempt: attempt.index, pulledLocally: true } })
            .catch(() => undefined);
        }
        if (opts.json) printJson(stdio, report);
        else {
          for (const p of report.applied) stdio.out(`applied     ${p}`);
          for (const p of report.conflicted) stdio.out(`conflicted  ${p}   (resolve the markers, then git add)`);
          for (const p of report.skipped) stdio.out(`skipped     ${p}`);
        }
        if (report.conflicted.length) throw new CliExit(EXIT.conflict);
      },
    );
}
