import { realpath } from "node:fs/promises";
import type { CadreClient } from "@cadre/client";
import { runGit, workTreeRoot } from "@cadre/git";
import type { Repo } from "@cadre/protocol";

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

/** "git@host:a/b.git", "https://host/a/b" and "ssh://git@host/a/b.git" compare equal. */
export function originKey(url: string): string {
  const u = url.trim().replace(/^file:\/\//, "");
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)[:/](.+?)(?:\.git)?\/?$/i.exec(u);
  return u.startsWith("/") || !m ? u.replace(/\/+$/, "") : `${(m[1] ?? "").toLowerCase()}/${m[2] ?? ""}`;
}

/**
 * The server repo a workspace folder is a clone of: the repo whose origin is the folder itself
 * or one of its git remotes. Null when the folder is not a git work tree or matches no repo.
 */
export async function repoForFolder(client: CadreClient, folder: string): Promise<{ repo: Repo; root: string } | null> {
  const root = await workTreeRoot(folder).catch(() => null);
  if (!root) return null;
  const keys = new Set([originKey(await real(root))]);
  const remotes = (await runGit(["remote"], { cwd: root })).stdout.toString("utf8").split("\n").filter(Boolean);
  for (const name of remotes) {
    const url = (await runGit(["remote", "get-url", "--", name], { cwd: root, okCodes: [0, 2, 128] })).stdout
      .toString("utf8")
      .trim();
    if (!url) continue;
    keys.add(originKey(url));
    if (url.startsWith("/")) keys.add(originKey(await real(url)));
  }
  const { items } = await client.call("listRepos");
  for (const repo of items) {
    const key = repo.origin.startsWith("/") ? originKey(await real(repo.origin)) : originKey(repo.origin);
    if (keys.has(key)) return { repo, root };
  }
  return null;
}
