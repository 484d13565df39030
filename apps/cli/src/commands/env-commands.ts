import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import type { CadreClient } from "@cadre/client";
import type { Environment, UpdateEnvironment } from "@cadre/protocol";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { collect, intBetween } from "../parse-options.ts";

/** `@file` reads a script from a file; anything else is the script itself. */
function scriptArg(value: string): string {
  if (!value.startsWith("@")) return value;
  try {
    return readFileSync(value.slice(1), "utf8");
  } catch (e) {
    throw new InvalidArgumentError(`cannot read ${value.slice(1)}: ${(e as Error).message}`);
  }
}

function pairs(list: string[] | undefined, what: string, allowBare = false): Record<string, string | null> | undefined {
  if (!list) return undefined;
  const out: Record<string, string | null> = {};
  for (const item of list) {
    const i = item.indexOf("=");
    if (i < 0) {
      if (allowBare) {
        out[item] = null;
        continue;
      }
      throw new InvalidArgumentError(`${what} takes NAME=VALUE, got '${item}'`);
    }
    out[item.slice(0, i)] = item.slice(i + 1);
  }
  return out;
}

interface EnvFlags {
  repo?: string;
  allowRepo?: string[];
  disallowRepo?: string[];
  setup?: string;
  maintenance?: string;
  var?: string[];
  secret?: string[];
  network?: "off" | "allowlist" | "on";
  allow?: string[];
  readOnlyMethods?: boolean;
  testCommand?: string;
  instructions?: string;
  commandTimeout?: number;
  attemptTimeout?: number;
  memory?: number;
  processes?: number;
  disk?: number;
  setupTtlHours?: number;
  image?: string;
  json?: boolean;
}

function withEnvFlags(cmd: Command): Command {
  return cmd
    .option("--repo <name>", "repo this environment belongs to")
    .option(
      "--allow-repo <name>",
      "let tasks of another repo use it, secrets included (admins only; repeatable)",
      collect,
    )
    .option("--disallow-repo <name>", "take a repo off the --allow-repo list (admins only; repeatable)", collect)
    .option("--setup <script>", "setup script (runs with network and secrets; @file reads a file)", scriptArg)
    .option(
      "--maintenance <script>",
      "maintenance script (runs when a cached setup is reused; @file reads a file)",
      scriptArg,
    )
    .option("--var <NAME=VALUE>", "environment variable (repeatable)", collect)
    .option(
      "--secret <NAME=VALUE>",
      "secret for the setup phase, stored encrypted, never shown again (repeatable; NAME alone removes it)",
      collect,
    )
    .addOption(
      new Option(
        "--network <policy>",
        "agent network: off, allowlist (listed hosts only) or on (any public address)",
      ).choices(["off", "allowlist", "on"]),
    )
    .option(
      "--allow <domain>",
      "allowed host pattern, e.g. registry.npmjs.org, *.example.com or 10.0.0.5:8080 (repeatable); the only hosts with allowlist, and a host listed literally may be private (setup reaches it too)",
      collect,
    )
    .option("--read-only-methods", "with allowlist, only GET/HEAD/OPTIONS")
    .option("--test-command <cmd>", "the repo's test command (reported per attempt)")
    .option("--instructions <text>", "instructions added to every task's prompt")
    .option("--command-timeout <seconds>", "per-command timeout", intBetween(1, 6 * 3600, "--command-timeout"))
    .option("--attempt-timeout <minutes>", "per-attempt wall-clock limit", intBetween(1, 48 * 60, "--attempt-timeout"))
    .option("--memory <mb>", "memory limit", intBetween(64, 256 * 1024, "--memory"))
    .option("--processes <n>", "process limit", intBetween(16, 65536, "--processes"))
    .option("--disk <mb>", "disk the attempt may write", intBetween(16, 1024 * 1024, "--disk"))
    .option(
      "--image <ref>",
      "OCI image as the sandbox's system: oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE, docker://REGISTRY/NAME:TAG or NAME:TAG; 'devcontainer' reads .devcontainer/devcontainer.json; 'none' removes it",
    )
    .option("--setup-ttl-hours <h>", "reuse a cached setup for this long", intBetween(0, 720, "--setup-ttl-hours"))
    .option("--json", "print JSON");
}

function bodyFrom(o: EnvFlags, current?: Environment): UpdateEnvironment & { repoId?: string | null } {
  const limits = {
    ...(o.commandTimeout ? { commandTimeoutMs: o.commandTimeout * 1000 } : {}),
    ...(o.attemptTimeout ? { attemptTimeoutMs: o.attemptTimeout * 60_000 } : {}),
    ...(o.memory ? { memoryMb: o.memory } : {}),
    ...(o.processes ? { maxProcesses: o.processes } : {}),
    ...(o.disk ? { diskMb: o.disk } : {}),
  };
  const network =
    o.network || o.allow || o.readOnlyMethods
      ? {
          mode: o.network ?? current?.networkPolicy.mode ?? (o.allow ? "allowlist" : "off"),
          allow: o.allow ?? current?.networkPolicy.allow ?? [],
          readOnlyMethods: o.readOnlyMethods ?? current?.networkPolicy.readOnlyMethods ?? false,
        }
      : undefined;
  const variables = pairs(o.var, "--var");
  return {
    ...(o.setup !== undefined ? { setupScript: o.setup } : {}),
    ...(o.maintenance !== undefined ? { maintenanceScript: o.maintenance } : {}),
    ...(variables ? { variables: { ...(current?.variables ?? {}), ...(variables as Record<string, string>) } } : {}),
    ...(o.secret ? { secrets: pairs(o.secret, "--secret", true) } : {}),
    ...(network ? { networkPolicy: network } : {}),
    ...(Object.keys(limits).length ? { limits } : {}),
    ...(o.testCommand !== undefined ? { testCommand: o.testCommand } : {}),
    ...(o.instructions !== undefined ? { instructions: o.instructions } : {}),
    ...(o.setupTtlHours !== undefined ? { setupTtlMs: o.setupTtlHours * 3600_000 } : {}),
    ...(o.image !== undefined ? { image: o.image === "none" ? null : o.image } : {}),
  };
}

/** The allow list after --allow-repo / --disallow-repo (names resolved to ids), or undefined when neither was given. */
async function allowedRepoIds(client: CadreClient, o: EnvFlags, current?: Environment): Promise<string[] | undefined> {
  if (!o.allowRepo && !o.disallowRepo) return undefined;
  const idOf = async (name: string) => (await client.call("getRepo", { params: { id: name } })).id;
  const added = await Promise.all((o.allowRepo ?? []).map(idOf));
  const removed = await Promise.all((o.disallowRepo ?? []).map(idOf));
  return [...new Set([...(current?.allowedRepoIds ?? []), ...added])].filter((id) => !removed.includes(id));
}

function render(e: Environment): string {
  return [
    `${e.name} (${e.id})${e.repoId ? `  repo ${e.repoId}` : "  shared"}`,
    `  also on:    ${e.allowedRepoIds.join(", ") || "-"}`,
    `  network:    ${e.networkPolicy.mode}${e.networkPolicy.allow.length > 0 ? ` [${e.networkPolicy.allow.join(", ")}]` : ""}${e.networkPolicy.readOnlyMethods ? " read-only methods" : ""}`,
    `  variables:  ${Object.keys(e.variables).join(", ") || "-"}`,
    `  secrets:    ${e.secretNames.map((n) => `${n}=••••`).join(", ") || "-"}`,
    `  image:      ${e.image ?? "- (the runner's own system)"}`,
    `  tests:      ${e.testCommand || "-"}`,
    `  limits:     command ${e.limits.commandTimeoutMs / 1000}s, attempt ${e.limits.attemptTimeoutMs / 60000}m, ${e.limits.memoryMb} MB, ${e.limits.maxProcesses} procs, ${e.limits.diskMb} MB disk`,
    `  setup:      ${e.setupScript ? e.setupScript.split("\n").join("\n              ") : "-"}`,
    `  maintenance:${e.maintenanceScript ? ` ${e.maintenanceScript}` : " -"}`,
  ].join("\n");
}

export function registerEnvCommands(program: Command): void {
  const env = program.command("env").description("environments: how a repo's sandbox is prepared");
  withEnvFlags(
    env.command("create").description("create an environment").argument("<name>", "environment name"),
  ).action(async (name: string, o: EnvFlags, cmd: Command) => {
    const client = await clientFor(cmd);
    let repoId: string | undefined;
    if (o.repo) repoId = (await client.call("getRepo", { params: { id: o.repo } })).id;
    const body = bodyFrom(o);
    const allowed = await allowedRepoIds(client, o);
    const e = await client.call("createEnvironment", {
      body: {
        name,
        ...body,
        ...(allowed ? { allowedRepoIds: allowed } : {}),
        secrets: body.secrets
          ? Object.fromEntries(Object.entries(body.secrets).filter(([, v]) => v !== null))
          : undefined,
        ...(repoId ? { repoId } : {}),
      },
    });
    if (o.json) return printJson(stdio, e);
    stdio.out(render(e));
  });
  withEnvFlags(
    env
      .command("update")
      .description("change an environment (only the flags given)")
      .argument("<name>", "environment name or id")
      .option("--name <new>", "rename"),
  ).action(async (name: string, o: EnvFlags & { name?: string }, cmd: Command) => {
    const client = await clientFor(cmd);
    const current = await client.call("getEnvironment", { params: { id: name } });
    let repoId: string | undefined;
    if (o.repo) repoId = (await client.call("getRepo", { params: { id: o.repo } })).id;
    const allowed = await allowedRepoIds(client, o, current);
    const e = await client.call("updateEnvironment", {
      params: { id: current.id },
      body: {
        ...bodyFrom(o, current),
        ...(allowed ? { allowedRepoIds: allowed } : {}),
        ...(repoId ? { repoId } : {}),
        ...(o.name && o.name !== name ? { name: o.name } : {}),
      },
    });
    if (o.json) return printJson(stdio, e);
    stdio.out(render(e));
  });
  env
    .command("list")
    .description("list environments")
    .option("--json", "print JSON")
    .action(async (o: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const { items } = await client.call("listEnvironments");
      if (o.json) return printJson(stdio, items);
      if (items.length === 0)
        return stdio.out("no environments yet: create one with 'cadre env create <name> --setup \"npm ci\"'");
      for (const e of items)
        stdio.out(`${e.name.padEnd(20)} ${e.id}  network ${e.networkPolicy.mode}  secrets ${e.secretNames.length}`);
    });
  env
    .command("show")
    .description("show an environment (secret values are never shown)")
    .argument("<name>", "name or id")
    .option("--json", "print JSON")
    .action(async (name: string, o: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const e = await client.call("getEnvironment", { params: { id: name } });
      if (o.json) return printJson(stdio, e);
      stdio.out(render(e));
    });
}
