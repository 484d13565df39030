import type { Command } from "commander";
import { existsSync } from "node:fs";
import { looksLikeHostPath } from "@cadre/protocol";
import { clientFor, printJson, stdio } from "../cli-context.ts";
import { CliExit, EXIT } from "../exit-codes.ts";
import { registerRepoSet, webhookNote } from "./repo-forge.ts";

interface RepoAddFlags {
  name?: string;
  defaultBranch?: string;
  forge?: string;
  forgeRepo?: string;
  json?: boolean;
}

export function registerRepoCommands(program: Command): void {
  const repo = program.command("repo").description("add and list repositories");
  repo
    .command("add")
    .description("add a repository (a local path or a URL); Cadre keeps a bare mirror of it")
    .argument("<path-or-url>", "local path, https://, ssh:// or user@host:path")
    .option("--name <name>", "name to refer to it by (default: the folder name)")
    .option("--default-branch <branch>", "branch tasks start from (default: the origin's HEAD)")
    .option(
      "--forge <name>",
      "a connected forge (cadre forge add): its credentials fetch and push, its events start work",
    )
    .option("--forge-repo <owner/name>", "the repository on the forge (default: from the URL)")
    .option("--json", "print JSON")
    .action(async (origin: string, opts: RepoAddFlags, cmd: Command) => {
      const client = await clientFor(cmd);
      // A relative path means relative to where the command runs, not to the server.
      const looksLocal = !/^[a-z][a-z0-9+.-]*:\/\//i.test(origin) && !/^[^/]+@[^/]+:/.test(origin);
      const { resolve } = await import("node:path");
      // Sent as a path relative to here, "github.com/acme/app" would be reported as a missing folder.
      if (looksLocal && !existsSync(resolve(origin)) && looksLikeHostPath(origin))
        throw new CliExit(
          EXIT.usage,
          `error: '${origin}' looks like a URL without a scheme: write https://${origin} (or git@${origin.replace("/", ":")} for SSH)`,
        );
      const r = await client.call("createRepo", {
        body: {
          origin: looksLocal ? resolve(origin) : origin,
          ...(opts.name ? { name: opts.name } : {}),
          ...(opts.defaultBranch ? { defaultBranch: opts.defaultBranch } : {}),
          ...(opts.forge ? { forge: opts.forge } : {}),
          ...(opts.forgeRepo ? { forgeRepo: opts.forgeRepo } : {}),
        },
      });
      if (opts.json) return printJson(stdio, r);
      stdio.out(`added ${r.name} (${r.id}) from ${r.origin}, default branch ${r.defaultBranch}`);
      const note = await webhookNote(client, r);
      if (note) stdio.out(note);
    });
  repo
    .command("list")
    .description("list repositories")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = await clientFor(cmd);
      const { items } = await client.call("listRepos");
      if (opts.json) return printJson(stdio, items);
      if (items.length === 0) return stdio.out("no repos yet: add one with 'cadre repo add <path|url>'");
      for (const r of items)
        stdio.out(
          `${r.name.padEnd(20)} ${r.id}  ${r.defaultBranch.padEnd(12)} ${r.origin}${r.forge ? `  (${r.forge.name}: ${r.forge.repoPath})` : ""}`,
        );
    });
  registerRepoSet(repo);
}
