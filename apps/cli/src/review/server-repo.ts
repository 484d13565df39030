import { realpath } from "node:fs/promises";
import type { CadreClient } from "@cadre/client";
import { runGit } from "@cadre/git";
import { CadreError, type Repo } from "@cadre/protocol";

async function real(p: string): Promise<string> {
  return realpath(p).catch(() => p);
}

/** "git@host:a/b.git", "https://host/a/b" and "ssh://git@host/a/b.git" compare equal. */
function urlKey(url: string): string {
  const m = /^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?([^/:]+)[:/](.+?)(?:\.git)?\/?$/i.exec(url.trim());
  return m ? `${(m[1] ?? "").toLowerCase()}/${m[2] ?? ""}` : url.trim();
}

async function localRemotes(root: string): Promise<string[]> {
  const res = await runGit(["remote"], { cwd: root, okCodes: [0] });
  const names = res.stdout.toString("utf8").split("\n").filter(Boolean);
  const urls: string[] = [];
  for (const n of names) {
    const u = await runGit(["remote", "get-url", "--", n], { cwd: root, okCodes: [0, 2, 128] });
    const url = u.stdout.toString("utf8").trim();
    if (url) urls.push(url);
  }
  return urls;
}

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
  const here = await real(root);
  for (const r of items)
    if (r.origin.startsWith("/") && (await real(r.origin)) === here) return { repo: r, sameTree: true };
  const remotes = await localRemotes(root);
  const remoteKeys = new Set<string>();
  for (const u of remotes) {
    remoteKeys.add(urlKey(u));
    if (u.startsWith("/") || u.startsWith("file://")) remoteKeys.add(await real(u.replace(/^file:\/\//, "")));
  }
  for (const r of items) {
    if (remoteKeys.has(urlKey(r.origin)) || (r.origin.startsWith("/") && remoteKeys.has(await real(r.origin))))
      return { repo: r, sameTree: false };
  }
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
    const head = await runGit(["rev-parse", "--verify", "--quiet", "HEAD"], { cwd: root, okCodes: [0, 1] });
    const sha = head.stdout.toString("utf8").trim();
    if (head.code === 0 && sha) return sha;
  }
  const up = await runGit(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}"], {
    cwd: root,
    okCodes: [0, 128],
  });
  const upstream = up.stdout.toString("utf8").trim();
  const slash = upstream.indexOf("/");
  if (up.code === 0 && slash > 0) {
    const branch = upstream.slice(slash + 1);
    if (/^[A-Za-z0-9._/-]+$/.test(branch) && !branch.startsWith("-")) return branch;
  }
  return repo.defaultBranch;
}
