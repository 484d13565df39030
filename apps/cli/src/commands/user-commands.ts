import type { Command } from "commander";
import type { User } from "@cadre/protocol";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { collect } from "../parse-options.ts";

function describe(u: User): string {
  const identity = u.email
    ? `  ${u.displayName ?? u.name} <${u.email}>`
    : "  (no email: set one with 'cadre user set')";
  return `${u.name.padEnd(20)} ${u.role.padEnd(7)} ${u.role === "admin" ? "all repos" : u.repos.length ? u.repos.join(",") : "no repos"}  (added by ${u.createdBy})${identity}`;
}

/** `cadre user add|list|grant|ungrant|revoke-token`: admins manage named users and their access. */
export function registerUserCommands(program: Command): void {
  const user = program
    .command("user")
    .description("manage users, their roles and the repositories they may use (admin)");
  user
    .command("add")
    .description("add a user and print their first API token (shown only this once)")
    .argument("<name>", "user name (lowercase letters, digits, . _ -)")
    .option("--role <role>", "viewer (read only), member (create and review tasks) or admin", "member")
    .option("--email <email>", "the email on the commits Cadre delivers for their tasks")
    .option("--display-name <name>", "the author name on those commits (default: the user name)")
    .option(
      "--forge-login <forge:login>",
      "a forge user whose @-mentions create tasks as this user, e.g. github:octocat (repeatable)",
      collect,
    )
    .option("--json", "print JSON")
    .action(
      async (
        name: string,
        o: { role: string; email?: string; displayName?: string; forgeLogin?: string[]; json?: boolean },
        cmd: Command,
      ) => {
        const client = await clientFor(cmd);
        const identity = {
          ...(o.email ? { email: o.email } : {}),
          ...(o.displayName ? { displayName: o.displayName } : {}),
        };
        const r = await client.call("createUser", {
          body: { name, role: o.role as User["role"], ...identity, forgeLogins: o.forgeLogin ?? [] },
        });
        if (o.json) return printJson(stdio, r);
        stdio.out(`added ${r.user.name} (${r.user.role}); their token (shown only this once):\n  ${r.token.token}`);
        if (r.user.role !== "admin") stdio.out(`grant repositories with: cadre user grant ${r.user.name} <repo>`);
        if (!r.user.email)
          stdio.out(`their delivered commits need an email: cadre user set ${r.user.name} --email <email>`);
      },
    );
  user
    .command("set")
    .description("set a user's email and display name, the author of the commits Cadre delivers for their tasks")
    .argument("<name>", "user name (yourself, or anyone for an admin)")
    .option("--email <email>", "author email")
    .option("--display-name <name>", "author name")
    .option("--json", "print JSON")
    .action(async (name: string, o: { email?: string; displayName?: string; json?: boolean }, cmd: Command) => {
      if (!o.email && !o.displayName)
        throw new CliExit(EXIT.usage, "give --email <email> and/or --display-name <name>");
      const body = { ...(o.email ? { email: o.email } : {}), ...(o.displayName ? { displayName: o.displayName } : {}) };
      const u = await (await clientFor(cmd)).call("updateUser", { params: { name }, body });
      if (o.json) return printJson(stdio, u);
      stdio.out(describe(u));
    });
  user
    .command("list")
    .description("list users with their role and repositories")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const { items } = await (await clientFor(cmd)).call("listUsers");
      if (o.json) return printJson(stdio, items);
      for (const u of items) stdio.out(describe(u));
    });
  user
    .command("grant")
    .description("let a user see and use a repository")
    .argument("<name>")
    .argument("<repo>", "repo name or id")
    .action(async (name: string, repo: string, _o: unknown, cmd: Command) => {
      stdio.out(describe(await (await clientFor(cmd)).call("grantRepo", { params: { name }, body: { repo } })));
    });
  user
    .command("ungrant")
    .description("take a repository away from a user")
    .argument("<name>")
    .argument("<repo>", "repo name or id")
    .action(async (name: string, repo: string, _o: unknown, cmd: Command) => {
      stdio.out(describe(await (await clientFor(cmd)).call("revokeGrant", { params: { name, repo } })));
    });
  user
    .command("revoke-token")
    .description("revoke an API token at once (ids from 'cadre token list --user <name>')")
    .argument("<token-id>")
    .action(async (id: string, _o: unknown, cmd: Command) => {
      const t = await (await clientFor(cmd)).call("revokeToken", { params: { id } });
      stdio.out(`revoked ${t.id} of ${t.user} at ${t.revokedAt ?? "?"}`);
    });
}
