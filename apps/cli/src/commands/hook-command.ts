import type { Command } from "commander";
import { Option } from "commander";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { localGitPath, workTreeRoot } from "@cadre/git";
import { stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { SEVERITIES } from "@cadre/protocol";

/** Marks hooks this command wrote, so it never overwrites or removes someone else's. */
const MARKER = "# cadre-managed-hook";

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The hooks directory git uses for this clone (honours core.hooksPath and worktrees). */
async function hooksDir(cwd: string): Promise<string> {
  return localGitPath(await workTreeRoot(cwd), "hooks");
}

/** The command that runs this same CLI, so the hook works without `cadre` on PATH. */
function selfCommand(): string {
  const script = process.argv[1];
  return script ? `${shQuote(process.execPath)} ${shQuote(script)}` : "cadre";
}

export function hookScript(failOn: string, command = selfCommand()): string {
  return [
    "#!/bin/sh",
    `${MARKER}: reviews the staged change before each commit (skip once with 'git commit --no-verify')`,
    `exec ${command} review --staged --fail-on ${failOn}`,
    "",
  ].join("\n");
}

export function registerHookCommand(program: Command): void {
  const hook = program.command("hook").description("git hooks that run Cadre");
  hook
    .command("install")
    .description(
      "install a pre-commit hook running 'cadre review --staged': a commit is blocked when a finding reaches --fail-on",
    )
    .addOption(
      new Option("--fail-on <severity>", "block the commit at this severity or above")
        .choices([...SEVERITIES])
        .default("high"),
    )
    .option("--force", "replace an existing pre-commit hook that Cadre did not write")
    .action(async (opts: { failOn: string; force?: boolean }) => {
      const path = join(await hooksDir(process.cwd()), "pre-commit");
      const existing = await readFile(path, "utf8").catch(() => null);
      if (existing !== null && !existing.includes(MARKER) && !opts.force) {
        throw new CliExit(
          EXIT.refused,
          `${path} already exists and was not written by Cadre: add 'cadre review --staged --fail-on ${opts.failOn}' to it yourself, or replace it with --force`,
        );
      }
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, hookScript(opts.failOn));
      await chmod(path, 0o755);
      stdio.out(`installed ${path}: commits are reviewed and blocked on ${opts.failOn} findings or worse`);
    });
  hook
    .command("uninstall")
    .description("remove the pre-commit hook installed by 'cadre hook install'")
    .action(async () => {
      const path = join(await hooksDir(process.cwd()), "pre-commit");
      const existing = await readFile(path, "utf8").catch(() => null);
      if (existing === null) return stdio.out("no pre-commit hook installed");
      if (!existing.includes(MARKER))
        throw new CliExit(EXIT.refused, `${path} was not written by Cadre; remove it yourself if you mean to`);
      await rm(path);
      stdio.out(`removed ${path}`);
    });
}
