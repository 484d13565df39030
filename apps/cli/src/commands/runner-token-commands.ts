import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** `cadre runner token create|list|revoke`: the tokens runner machines register with (admin). */
export function registerRunnerTokenCommands(runner: Command): void {
  const token = runner.command("token").description("create, list and revoke runner tokens (admin)");
  token
    .command("create")
    .description("create a runner token and print it (shown only this once)")
    .argument("<name>", "the runner's name, e.g. build-1")
    .option("--json", "print JSON")
    .action(async (name: string, o: { json?: boolean }, cmd: Command) => {
      const created = await (await clientFor(cmd)).call("createRunnerToken", { body: { name } });
      if (o.json) return printJson(stdio, created);
      stdio.out(
        `runner token ${created.info.name} (shown only this once; store it in a file with mode 600 on the runner machine):\n  ${created.token}\nthen run there: cadre runner --server <this server's URL> --token-file <file> --name ${created.info.name}`,
      );
    });
  token
    .command("list")
    .description("list runner tokens (never their secret)")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { items } = await (await clientFor(cmd)).call("listRunnerTokens");
      if (o.json) return printJson(stdio, items);
      if (items.length === 0) return stdio.out("no runner tokens: create one with 'cadre runner token create <name>'");
      for (const t of items)
        stdio.out(
          `${t.name.padEnd(24)} ${t.revokedAt ? "revoked" : "active "}  created ${t.createdAt} by ${t.createdBy}  last used ${t.lastUsedAt ?? "never"}`,
        );
    });
  token
    .command("revoke")
    .description("revoke a runner token: its runners stop at once and their attempts go back to the queue")
    .argument("<name>")
    .action(async (name: string, _o: unknown, cmd: Command) => {
      const revoked = await (await clientFor(cmd)).call("revokeRunnerToken", { params: { name } });
      stdio.out(`revoked runner token ${revoked.name}`);
    });
}
