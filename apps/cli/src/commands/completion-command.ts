import type { Command } from "commander";
import { Argument } from "commander";
import { stdio } from "../cli-context.ts";
import { bashCompletion, zshCompletion, type CompletionNode } from "../completion/completion-scripts.ts";

/** The command tree as the completion scripts need it, read from the live program. */
function treeOf(cmd: Command, path: string[] = []): CompletionNode[] {
  const node: CompletionNode = {
    path: path.join(" "),
    subcommands: cmd.commands.map((c) => ({ name: c.name(), description: c.description() })),
    options: [
      ...cmd.options
        .filter((o) => !o.hidden)
        .map((o) => ({
          flags: [o.long, o.short].filter((f): f is string => Boolean(f)),
          description: o.description,
          takesValue: o.required || o.optional,
          choices: o.argChoices ?? [],
        })),
      { flags: ["--help", "-h"], description: "show help", takesValue: false, choices: [] },
    ],
  };
  return [node, ...cmd.commands.flatMap((c) => treeOf(c, [...path, c.name()]))];
}

export function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print a shell completion script")
    .addArgument(new Argument("<shell>", "bash or zsh").choices(["bash", "zsh"]))
    .addHelpText(
      "after",
      '\nbash: add  source <(cadre completion bash)  to ~/.bashrc\nzsh:  cadre completion zsh > "${fpath[1]}/_cadre"  (or  source <(cadre completion zsh)  in ~/.zshrc)',
    )
    .action((shell: "bash" | "zsh") => {
      const tree = treeOf(program);
      stdio.out(shell === "bash" ? bashCompletion(tree) : zshCompletion(tree));
    });
}
