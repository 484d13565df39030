import { realpath } from "node:fs/promises";
import { runGit } from "./run-git.ts";
import { workTreeRoot } from "./work-tree-status.ts";

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

/** "git@host:a/b.git", "https://host/a/b" and "ssh://git@host/a/b.git" compare equal; local paths by their real path. */
export function originKey(url: string): string {
  const u = url.trim().replace(/^file:\/\//, "");
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)[:/](.+?)(?:\.git)?\/?$/i.exec(u);
  return u.startsWith("/") || !m ? u.replace(/\/+$/, "") : `${(m[1] ?? "").toLowerCase()}/${m[2] ?? ""}`;
}

/** The key a repo's origin compares by (a local origin through its real path). */
export async function repoOriginKey(origin: string): Promise<string> {
  return originKey(origin.startsWith("/") ? await real(origin) : origin);
}

/**
 * What a folder is a clone of: the keys of its work tree's root and of every git remote, to match
 * against repos' origins. Null when the folder is not in a git work tree.
 */
export async function cloneOrigins(folder: string): Promise<{ root: string; keys: Set<string> } | null> {
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
  return { root, keys };
}
