import type { Command } from "commander";
import { clientFor, printJson, stdio } from "../cli-context.ts";

/** `cadre token create|list|revoke` and `cadre whoami`: a user's own API tokens (admins: anyone's, with --user). */
export function registerTokenCommands(program: Command): void {
  program
    .command("whoami")
    .description("show who the token belongs to, their role and repositories")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const me = await (await clientFor(cmd)).call("whoami");
      if (o.json) return printJson(stdio, me);
      stdio.out(
        `${me.user} (${me.role}) ${me.repos === null ? "all repos" : me.repos.length ? me.repos.join(",") : "no repos"}`,
      );
    });
  const token = program.command("token").description("create, list and revoke API tokens");
  token
    .command("create")
    .description("create an API token and print it (shown only this once)")
    .option("--user <name>", "for another user (admin)")
    .option("--label <text>", "what the token is for", "")
    .option("--json", "print JSON")
    .action(async (o: { user?: string; label: string; json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const name = o.user ?? (await client.call("whoami")).user;
      const t = await client.call("createToken", { params: { name }, body: { label: o.label } });
      if (o.json) return printJson(stdio, t);
      stdio.out(`token ${t.info.id} for ${t.info.user} (shown only this once):\n  ${t.token}`);
    });
  token
    .command("list")
    .description("list API tokens (never their secret)")
    .option("--user <name>", "another user's (admin)")
    .option("--json", "print JSON")
    .action(async (o: { user?: string; json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const name = o.user ?? (await client.call("whoami")).user;
      const { items } = await client.call("listTokens", { params: { name } });
      if (o.json) return printJson(stdio, items);
      for (const t of items)
        stdio.out(
          `${t.id}  ${t.revokedAt ? "revoked" : "active "}  ${t.label || "-"}  created ${t.createdAt}  last used ${t.lastUsedAt ?? "never"}`,
        );
    });
  token
    .command("revoke")
    .description("revoke an API token at once")
    .argument("<token-id>")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const t = await (await clientFor(cmd)).call("revokeToken", { params: { id } });
      stdio.out(`revoked ${t.id} of ${t.user}`);
    });
}
