import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { Option } from "commander";
import { ForgeKind, type CreateForge, type Forge } from "@cadre/protocol";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { intBetween } from "../parse-options.ts";

interface AuthFlags {
  tokenEnv?: string;
  appId?: string;
  privateKeyFile?: string;
  installationId?: number;
}

interface AddFlags extends AuthFlags {
  kind: ForgeKind;
  apiUrl: string;
  webUrl?: string;
  webhookSecretEnv: string;
  botName?: string;
  poll?: number;
  pace?: boolean;
  json?: boolean;
}

/** A secret from the named environment variable: secrets never travel through argv. */
function fromEnv(variable: string, what: string): string {
  const value = process.env[variable];
  if (!value)
    throw new CliExit(
      EXIT.usage,
      `${what}: the environment variable ${variable} is not set (export it, then run this again)`,
    );
  return value;
}

async function authFrom(flags: AuthFlags): Promise<CreateForge["auth"] | undefined> {
  const app = flags.appId !== undefined || flags.privateKeyFile !== undefined || flags.installationId !== undefined;
  if (flags.tokenEnv && app)
    throw new CliExit(EXIT.usage, "choose one of --token-env or --app-id/--private-key-file/--installation-id");
  if (flags.tokenEnv) return { kind: "token", token: fromEnv(flags.tokenEnv, "--token-env") };
  if (!app) return undefined;
  if (!flags.appId || !flags.privateKeyFile || flags.installationId === undefined)
    throw new CliExit(EXIT.usage, "an app needs --app-id, --private-key-file and --installation-id");
  const privateKey = await readFile(flags.privateKeyFile, "utf8").catch((error: Error) => {
    throw new CliExit(EXIT.usage, `cannot read --private-key-file ${flags.privateKeyFile}: ${error.message}`);
  });
  return { kind: "app", appId: flags.appId, privateKey, installationId: flags.installationId };
}

function describe(f: Forge): string {
  const auth = f.auth.kind === "app" ? `app ${f.auth.appId}, installation ${f.auth.installationId}` : "a token";
  const status = f.status.state === "error" ? `  PROBLEM: ${f.status.message}` : "";
  return `${f.name.padEnd(16)} ${f.kind}  ${f.apiUrl}  signs in with ${auth}, answers @${f.botName}${f.pollSeconds ? `, polls every ${f.pollSeconds}s` : ""}${status}`;
}

function webhookSteps(f: Forge, secretEnv: string): string {
  if (f.pollSeconds) return `Cadre polls ${f.name} every ${f.pollSeconds} seconds: no webhook is needed.`;
  if (f.auth.kind === "app")
    return `Set the GitHub App's webhook URL to ${f.webhookUrl} and its secret to the value of $${secretEnv} (content type: application/json).`;
  return `Webhook URL: ${f.webhookUrl}\nCadre adds it to each repo you add with --forge when its token may (admin); otherwise it prints the steps.`;
}

function authOptions(command: Command): Command {
  return command
    .option("--token-env <VAR>", "read the token from this environment variable")
    .option("--app-id <id>", "sign in as a GitHub App with this id")
    .option("--private-key-file <pem>", "the app's private key (PEM file)")
    .option(
      "--installation-id <n>",
      "the app's installation on the repositories",
      intBetween(1, Number.MAX_SAFE_INTEGER, "--installation-id"),
    )
    .option("--webhook-secret-env <VAR>", "read the webhook secret from this environment variable");
}

function registerAdd(forge: Command): void {
  authOptions(
    forge
      .command("add")
      .description("connect a forge (GitHub, GitHub Enterprise Server, GitLab, Gitea, Forgejo); prints the webhook URL")
      .argument("<name>", "name to refer to it by (lowercase letters, digits, . _ -)")
      .addOption(new Option("--kind <kind>", "which forge").choices(ForgeKind.options).default("github"))
      .requiredOption(
        "--api-url <url>",
        "the REST base: https://api.github.com, https://<host>/api/v3 (GitHub Enterprise), https://<host>/api/v4 (GitLab), https://<host>/api/v1 (Gitea, Forgejo)",
      ),
  )
    .option("--web-url <url>", "where people and git reach it (default: from the API URL)")
    .option("--bot-name <name>", "the handle people mention (default: cadre)")
    .option(
      "--poll <seconds>",
      "poll the API instead of waiting for webhooks (behind NAT)",
      intBetween(10, 86_400, "--poll"),
    )
    .option("--no-pace", "do not pace writes (they are paced on github.com as GitHub asks)")
    .option("--json", "print JSON")
    .action(async (name: string, flags: AddFlags, cmd: Command) => {
      if (!flags.webhookSecretEnv)
        throw new CliExit(EXIT.usage, "--webhook-secret-env <VAR> is required: the secret webhooks are signed with");
      const auth = await authFrom(flags);
      if (!auth)
        throw new CliExit(
          EXIT.usage,
          "sign in with --token-env VAR, or --app-id ID --private-key-file PEM --installation-id N",
        );
      const client = await clientFor(cmd);
      const created = await client.call("createForge", {
        body: {
          name,
          kind: flags.kind,
          apiUrl: flags.apiUrl,
          ...(flags.webUrl ? { webUrl: flags.webUrl } : {}),
          auth,
          webhookSecret: fromEnv(flags.webhookSecretEnv, "--webhook-secret-env"),
          ...(flags.botName ? { botName: flags.botName } : {}),
          ...(flags.poll ? { pollSeconds: flags.poll } : {}),
          ...(flags.pace === false ? { pacing: false } : {}),
        },
      });
      if (flags.json) return printJson(stdio, created);
      stdio.out(`added forge ${describe(created)}`);
      stdio.out(webhookSteps(created, flags.webhookSecretEnv));
      stdio.out(`Add repositories with: cadre repo add <clone-url> --forge ${created.name}`);
    });
}

function registerUpdate(forge: Command): void {
  authOptions(
    forge
      .command("update")
      .description("change a forge's credentials, webhook secret, bot name or polling")
      .argument("<name>"),
  )
    .option("--bot-name <name>", "the handle people mention")
    .option("--poll <seconds>", "poll every N seconds", intBetween(10, 86_400, "--poll"))
    .option("--no-poll", "stop polling (webhooks only)")
    .option("--json", "print JSON")
    .action(
      async (
        name: string,
        flags: AuthFlags & { webhookSecretEnv?: string; botName?: string; poll?: number | false; json?: boolean },
        cmd: Command,
      ) => {
        const auth = await authFrom(flags);
        const client = await clientFor(cmd);
        const updated = await client.call("updateForge", {
          params: { name },
          body: {
            ...(auth ? { auth } : {}),
            ...(flags.webhookSecretEnv
              ? { webhookSecret: fromEnv(flags.webhookSecretEnv, "--webhook-secret-env") }
              : {}),
            ...(flags.botName ? { botName: flags.botName } : {}),
            ...(flags.poll === false ? { pollSeconds: null } : flags.poll ? { pollSeconds: flags.poll } : {}),
          },
        });
        if (flags.json) return printJson(stdio, updated);
        stdio.out(`updated ${describe(updated)}`);
      },
    );
}

/** `cadre forge add|list|show|update|remove`: the GitHub, GitLab and Gitea/Forgejo instances Cadre works with. */
export function registerForgeCommands(program: Command): void {
  const forge = program
    .command("forge")
    .description(
      "connect forges (GitHub, GitLab, Gitea/Forgejo) whose issues and change requests start and receive work",
    );
  registerAdd(forge);
  registerUpdate(forge);
  forge
    .command("list")
    .description("list connected forges")
    .option("--json", "print JSON")
    .action(async (flags: { json?: boolean }, cmd: Command) => {
      const { items } = await (await clientFor(cmd)).call("listForges");
      if (flags.json) return printJson(stdio, items);
      if (items.length === 0)
        return stdio.out("no forges yet: connect one with 'cadre forge add <name> --api-url <url> ...'");
      for (const f of items) stdio.out(describe(f));
    });
  forge
    .command("show")
    .description("a forge's settings, the state of its credentials and its latest deliveries")
    .argument("<name>")
    .option("--json", "print JSON")
    .action(async (name: string, flags: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const f = await client.call("getForge", { params: { name } });
      const deliveries = await client
        .call("listForgeDeliveries", { params: { name }, query: { limit: 20 } })
        .catch(() => ({ items: [] }));
      if (flags.json) return printJson(stdio, { ...f, deliveries: deliveries.items });
      stdio.out(describe(f));
      stdio.out(
        `web: ${f.webUrl}\nwebhook URL: ${f.webhookUrl}\ntasks of unmapped writers are created by: ${f.serviceUser}`,
      );
      if (f.status.state === "error") stdio.out(`last problem (${f.status.at ?? "?"}): ${f.status.message}`);
      for (const d of deliveries.items)
        stdio.out(`${d.receivedAt}  ${d.event.padEnd(28)} ${d.state.padEnd(8)} ${d.outcome ?? ""}`);
    });
  forge
    .command("remove")
    .description("disconnect a forge")
    .argument("<name>")
    .option("--force", "also when repos use it (they stay, as plain git repos)")
    .action(async (name: string, flags: { force?: boolean }, cmd: Command) => {
      await (
        await clientFor(cmd)
      ).call("deleteForge", { params: { name }, query: flags.force ? { force: "true" } : {} });
      stdio.out(`removed forge ${name}`);
    });
}
