import type { CadreClient } from "@cadre/client";
import { cloneOrigins, repoOriginKey } from "@cadre/git";
import type { Repo } from "@cadre/protocol";

export { originKey } from "@cadre/git";

/**
 * The server repo a workspace folder is a clone of: the repo whose origin is the folder itself
 * or one of its git remotes. Null when the folder is not a git work tree or matches no repo.
 */
export async function repoForFolder(client: CadreClient, folder: string): Promise<{ repo: Repo; root: string } | null> {
  const clone = await cloneOrigins(folder);
  if (!clone) return null;
  const { items } = await client.call("listRepos");
  for (const repo of items) if (clone.keys.has(await repoOriginKey(repo.origin))) return { repo, root: clone.root };
  return null;
}
