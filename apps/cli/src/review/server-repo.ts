import type { CadreClient } from "@cadre/client";
import { cloneOrigins, localHead, localUpstream, originKey, repoOriginKey } from "@cadre/git";
import { CadreError, type Repo } from "@cadre/protocol";

/**
 * The server repo for a local clone: named with --repo, else the one whose origin is this
 * work tree (same real path) or one of its remotes.
 */
export async function serverRepoFor(
  client: CadreClient,
  root: string,
  name?: string,
): Promise<{ repo: Repo; sameTree: boolean }> {
  if (name) return { repo: await client.call("getRepo", { params: { id: name } }), sameTree: false };
  const { items } = await client.call("listRepos");
  const clone = await cloneOrigins(root);
  const here = clone?.root ?? root;
  const hereKey = await repoOriginKey(here);
  for (const r of items)
    if (r.origin.startsWith("/") && (await repoOriginKey(r.origin)) === hereKey) return { repo: r, sameTree: true };
  for (const r of items) if (clone?.keys.has(await repoOriginKey(r.origin))) return { repo: r, sameTree: false };
  const remotes = [...(clone?.keys ?? [])].filter((k) => k !== originKey(hereKey));
  throw new CadreError(
    "not_found",
    `no Cadre repo has ${root} or its remotes (${remotes.join(", ") || "none"}) as origin: pass --repo <name> (see 'cadre repo list'), or add it with 'cadre repo add ${root}'`,
  );
}

/**
 * What the review task starts from. The server only knows commits pushed to the origin: the
 * local HEAD when the origin is this very tree, else the upstream branch, else the default branch.
 */
export async function reviewBase(root: string, repo: Repo, sameTree: boolean): Promise<string> {
  if (sameTree) {
    const head = await localHead(root);
    if (head) return head;
  }
  const upstream = (await localUpstream(root)) ?? "";
  const slash = upstream.indexOf("/");
  if (slash > 0) {
    const branch = upstream.slice(slash + 1);
    if (/^[A-Za-z0-9._/-]+$/.test(branch) && !branch.startsWith("-")) return branch;
  }
  return repo.defaultBranch;
}
