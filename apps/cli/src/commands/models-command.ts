import type { Command } from "commander";
import type { ModelList } from "@cadre/protocol";
import { clientFor, printJson, stdio } from "../cli-context.ts";

export function renderModels(list: ModelList): string {
  if (list.items.length === 0)
    return `no model can run yet: ${list.problem ?? "configure a provider (README: Configuring a model)"}`;
  const width = Math.max(...list.items.map((m) => m.name.length));
  const lines = list.items.map((m) => {
    const note = [
      m.isDefault ? "default" : m.source === "provider" ? "offered by the provider" : "",
      m.ready ? "" : `(not usable: ${m.problem ?? "not configured"})`,
    ].filter(Boolean);
    return `${m.isDefault ? "*" : " "} ${note.length ? `${m.name.padEnd(width)}  ${note.join("  ")}` : m.name}`;
  });
  lines.push("", `* marks the default; pick another with 'cadre task new ... --model <name>'`);
  return lines.join("\n");
}

export function registerModelsCommand(program: Command): void {
  program
    .command("models")
    .description("list the models tasks can use, the default marked")
    .option("--all", "also list every model each configured provider offers (asks the providers)")
    .option("--json", "print JSON")
    .action(async (opts: { all?: boolean; json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const list = await client.call("listModels", { query: opts.all ? { discover: "true" } : {} });
      if (opts.json) return printJson(stdio, list);
      stdio.out(renderModels(list));
    });
}
