import { lstat, readlink, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { identityEnv, type GitIdentity } from "./identity.ts";
import { resolveCommit, updateRef } from "./refs.ts";
import { cQuote, displayPath, gitPathBytes, type GitPath } from "./git-path.ts";
import { isFullObjectId } from "./safety.ts";
import { unstorablePathReason } from "./storable-path.ts";
import { withTempDir } from "./temp-dir.ts";

export type FileMode = "100644" | "100755" | "120000";

/**
 * One changed path: its new content from a file on the host, or its deletion. Paths are any
 * name git can store (bytes as a Buffer when they are not UTF-8); see unstorablePathReason.
 */
export type FileChange =
  { kind: "upsert"; path: GitPath; hostPath: string | Buffer; mode: FileMode } | { kind: "delete"; path: GitPath };

export interface CommitChangesInput {
  gitDir: string;
  /** The commit the changes apply to (sha or ref). */
  parent: string;
  changes: FileChange[];
  message: string;
  author?: GitIdentity;
  committer?: GitIdentity;
  /** Full ref (refs/…) to point at the result (the parent when nothing changed). */
  ref?: string;
}

export interface CommitResult {
  /** The new commit, or the parent when the tree did not change. */
  commit: string;
  tree: string;
  changed: boolean;
}

const FILE_MODES = new Set<string>(["100644", "100755", "120000"]);

export interface CommitTreeInput {
  tree: string;
  parents: string[];
  message: string;
  author?: GitIdentity | undefined;
  committer?: GitIdentity | undefined;
}

/** Commits a tree on its parents; the message goes through stdin. */
export async function commitTree(
  gitDir: string,
  { tree, parents, message, author, committer }: CommitTreeInput,
): Promise<string> {
  const args = ["commit-tree", "--no-gpg-sign"];
  for (const p of parents) {
    if (!isFullObjectId(p)) throw new CadreError("internal", `commitTree parent must be a full sha, got ${p}`);
    args.push("-p", p);
  }
  if (!isFullObjectId(tree)) throw new CadreError("internal", `commitTree tree must be a full sha, got ${tree}`);
  args.push(tree);
  const text = message.endsWith("\n") ? message : `${message}\n`;
  const res = await runGitIn(gitDir, args, { input: text, env: identityEnv(author, committer) });
  return res.stdout.toString("utf8").trim();
}

export async function treeOf(gitDir: string, commit: string): Promise<string> {
  const res = await runGitIn(gitDir, ["rev-parse", "--verify", "--end-of-options", `${commit}^{tree}`]);
  return res.stdout.toString("utf8").trim();
}

/** Refuses what git could not store, duplicates and host paths that are not absolute. */
function validateChanges(changes: FileChange[]): void {
  const seen = new Set<string>();
  for (const c of changes) {
    const shown = JSON.stringify(displayPath(c.path));
    const key = gitPathBytes(c.path).toString("latin1");
    if (seen.has(key)) throw new CadreError("bad_request", `path ${shown} appears twice in the changes`);
    seen.add(key);
    if (c.kind === "upsert" && !FILE_MODES.has(c.mode))
      throw new CadreError("bad_request", `invalid mode ${String(c.mode)} for ${shown}: use 100644, 100755 or 120000`);
    if (c.kind !== "upsert" && c.kind !== "delete")
      throw new CadreError("bad_request", `invalid change kind for ${shown}`);
    const problem = unstorablePathReason(c.path, c.kind === "upsert" ? c.mode : "100644");
    if (problem) throw new CadreError("bad_request", `cannot commit ${shown}: ${problem}`);
    if (c.kind === "upsert" && gitPathBytes(c.hostPath)[0] !== 0x2f)
      throw new CadreError("bad_request", `hostPath for ${shown} must be absolute`);
  }
}

type Upsert = Extract<FileChange, { kind: "upsert" }>;

/** What to hash for one upsert: the file itself, or a temp file holding a symlink's target bytes. */
async function contentPath(c: Upsert, tmp: string, index: number): Promise<string | Buffer> {
  const st = await lstat(c.hostPath).catch(() => null);
  const shown = displayPath(c.path);
  const host = displayPath(c.hostPath);
  if (!st) throw new CadreError("bad_request", `cannot read ${shown}: ${host} does not exist`);
  if (c.mode === "120000") {
    if (st.isFile()) return c.hostPath;
    if (!st.isSymbolicLink())
      throw new CadreError(
        "bad_request",
        `cannot commit ${shown} as a symlink: ${host} is neither a symlink nor a file`,
      );
    const linkFile = join(tmp, `link-${index}`);
    await writeFile(linkFile, await readlink(c.hostPath, { encoding: "buffer" }));
    return linkFile;
  }
  // Never follow a symlink out of the workspace for a regular-file entry.
  if (!st.isFile())
    throw new CadreError(
      "bad_request",
      `cannot commit ${shown} as a regular file: ${host} is ${st.isSymbolicLink() ? "a symlink" : "not a regular file"}`,
    );
  return c.hostPath;
}

/** Hashes every upsert's content into the repository in one `hash-object` batch. */
async function hashUpserts(gitDir: string, tmp: string, upserts: Upsert[]): Promise<string[]> {
  if (upserts.length === 0) return [];
  const paths = await Promise.all(upserts.map((c, i) => contentPath(c, tmp, i)));
  // Quoted lines: git unquotes them, so host paths with line breaks or any other byte survive.
  const res = await runGitIn(gitDir, ["hash-object", "-w", "--no-filters", "--stdin-paths"], {
    input: `${paths.map((p) => cQuote(gitPathBytes(p))).join("\n")}\n`,
  });
  const oids = res.stdout.toString("utf8").split("\n").filter(Boolean);
  if (oids.length !== paths.length)
    throw new CadreError("git_failed", `hash-object returned ${oids.length} ids for ${paths.length} files`);
  return oids;
}

/** Applies deletions and upserts to the temporary index in one `update-index` batch. */
async function updateIndex(input: {
  gitDir: string;
  env: Record<string, string>;
  changes: FileChange[];
  upserts: Upsert[];
  oids: string[];
  zero: string;
}): Promise<void> {
  const entry = (head: string, path: GitPath): Buffer =>
    Buffer.concat([Buffer.from(`${head}\t`), gitPathBytes(path), Buffer.from([0])]);
  const lines: Buffer[] = [];
  for (const c of input.changes) if (c.kind === "delete") lines.push(entry(`0 ${input.zero}`, c.path));
  input.upserts.forEach((c, i) => lines.push(entry(`${c.mode} ${input.oids[i]}`, c.path)));
  if (lines.length === 0) return;
  const res = await runGitIn(input.gitDir, ["update-index", "-z", "--replace", "--index-info"], {
    env: input.env,
    input: Buffer.concat(lines),
  });
  // update-index skips a path it refuses instead of failing; validateChanges should have caught it.
  if (/Ignoring path/.test(res.stderr))
    throw new CadreError("git_failed", `git refused a path of the checkpoint: ${res.stderr.trim()}`);
}

/**
 * Commits a set of changed paths on top of `parent` without a work tree and without touching
 * unchanged files: a temporary index is filled from the parent's tree, all new contents are
 * hashed in one `hash-object` batch and all entries updated in one `update-index` batch. Paths
 * travel NUL-separated or quoted through stdin, so any name git can store is committed as it is.
 * When the resulting tree equals the parent's, no commit is made (`changed: false`, `commit` = parent).
 */
export async function commitChanges(input: CommitChangesInput): Promise<CommitResult> {
  const { gitDir, changes } = input;
  const parent = await resolveCommit(gitDir, input.parent);
  validateChanges(changes);

  return withTempDir("commit", async (tmp) => {
    const env = { GIT_INDEX_FILE: join(tmp, "index") };
    const parentTreeP = treeOf(gitDir, parent);
    await runGitIn(gitDir, ["read-tree", "--end-of-options", parent], { env });
    const upserts = changes.filter((c): c is Upsert => c.kind === "upsert");
    const oids = await hashUpserts(gitDir, tmp, upserts);
    await updateIndex({ gitDir, env, changes, upserts, oids, zero: "0".repeat(parent.length) });
    const tree = (await runGitIn(gitDir, ["write-tree"], { env })).stdout.toString("utf8").trim();
    const parentTree = await parentTreeP;
    let commit = parent;
    const changed = tree !== parentTree;
    if (changed)
      commit = await commitTree(gitDir, {
        tree,
        parents: [parent],
        message: input.message,
        author: input.author,
        committer: input.committer,
      });
    if (input.ref) await updateRef(gitDir, input.ref, commit, { message: "cadre: commit changes" });
    return { commit, tree, changed };
  });
}

export interface CommitDirectoryInput {
  gitDir: string;
  parent: string;
  /** Directory whose whole content (minus `.git` and ignored files) becomes the tree. */
  workTree: string;
  message: string;
  author?: GitIdentity;
  committer?: GitIdentity;
  ref?: string;
}

/**
 * Slow path for work trees without a change list: hashes every file of `workTree` (honouring its
 * .gitignore files, never `.git`) into a temporary index and commits the result on `parent`.
 */
export async function commitDirectory(input: CommitDirectoryInput): Promise<CommitResult> {
  const { gitDir } = input;
  if (!isAbsolute(input.workTree)) throw new CadreError("bad_request", "workTree must be an absolute path");
  const parent = await resolveCommit(gitDir, input.parent);
  return withTempDir("commitdir", async (tmp) => {
    const env = { GIT_INDEX_FILE: join(tmp, "index"), GIT_WORK_TREE: input.workTree };
    const parentTreeP = treeOf(gitDir, parent);
    await runGitIn(gitDir, ["read-tree", "--end-of-options", parent], { env });
    await runGitIn(gitDir, ["-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "add", "--all", "--", "."], {
      env,
      cwd: input.workTree,
    });
    const tree = (await runGitIn(gitDir, ["write-tree"], { env })).stdout.toString("utf8").trim();
    const parentTree = await parentTreeP;
    const changed = tree !== parentTree;
    const commit = changed
      ? await commitTree(gitDir, {
          tree,
          parents: [parent],
          message: input.message,
          author: input.author,
          committer: input.committer,
        })
      : parent;
    if (input.ref) await updateRef(gitDir, input.ref, commit, { message: "cadre: commit directory" });
    return { commit, tree, changed };
  });
}
