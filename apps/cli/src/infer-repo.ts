import type { CadreClient } from "@cadre/client";
import { cloneOrigins, repoOriginKey } from "@cadre/git";
import { CliExit, EXIT } from "./exit-codes.ts";

/**
 * The repo a command run inside a clone means when --repo is left out: the one whose origin is
 * this clone's folder or one of its remotes. Says what to do when there is none or several.
 */
export async function repoFromClone(client: CadreClient, cwd: string): Promise<string> {
  const clone = await cloneOrigins(cwd);
  if (!clone)
    throw new CliExit(EXIT.usage, "error: --repo is missing (and this folder is not a git clone to infer it from)");
  const { items } = await client.call("listRepos");
  const matches = [];
  for (const repo of items) if (clone.keys.has(await repoOriginKey(repo.origin))) matches.push(repo);
  if (matches.length === 1) return (matches[0] as (typeof matches)[number]).name;
  if (matches.length > 1)
    throw new CliExit(
      EXIT.usage,
      `error: this clone matches several repos (${matches.map((r) => r.name).join(", ")}): choose one with --repo`,
    );
  throw new CliExit(
    EXIT.usage,
    `error: --repo is missing and no repo has this clone's origin (${[...clone.keys].join(", ")}): add it with 'cadre repo add <url or path>' or pass --repo`,
  );
}
