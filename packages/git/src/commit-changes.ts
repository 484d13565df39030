import { lstat, readlink, writeFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { CadreError } from "@cadre/protocol";
import { runGitIn } from "./git-dir.ts";
import { identityEnv, type GitIdentity } from "./identity.ts";
import { resolveCommit, updateRef } from "./refs.ts";
import { assertSafeRelPath, isFullObjectId } from "./safety.ts";
import { withTempDir } from "./temp-dir.ts";

export type FileMode = "100644" | "100755" | "120000";

/** One changed path: its new content from a file on the host, or its deletion. */
export type FileChange =
  { kind: "upsert"; path: string; hostPath: string; mode: FileMode } | { kind: "delete"; path: string };

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

/** Commits a tree with one parent; the message goes through stdin. */
export async function commitTree(
  gitDir: string,
  tree: string,
  parents: string[],
  message: string,
  author?: GitIdentity,
  committer?: GitIdentity,
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

/**
 * Commits a set of changed paths on top of `parent` without a work tree and without touching
 * unchanged files: a temporary index is filled from the parent's tree, all new contents are
 * hashed in one `hash-object` batch and all entries updated in one `update-index` batch. When the
 * resulting tree equals the parent's, no commit is made (`changed: false`, `commit` = parent).
 */
export async function commitChanges(input: CommitChangesInput): Promise<CommitResult> {
  const { gitDir, changes } = input;
  const parent = await resolveCommit(gitDir, input.parent);
  const seen = new Set<string>();
  for (const c of changes) {
    assertSafeRelPath(c.path);
    if (c.path.endsWith("/"))
      throw new CadreError("bad_request", `invalid path ${JSON.stringify(c.path)}: a changed path must name a file`);
    if (seen.has(c.path)) throw new CadreError("bad_request", `path ${c.path} appears twice in the changes`);
    seen.add(c.path);
    if (c.kind === "upsert") {
      if (!FILE_MODES.has(c.mode))
        throw new CadreError(
          "bad_request",
          `invalid mode ${String(c.mode)} for ${c.path}: use 100644, 100755 or 120000`,
        );
      if (!isAbsolute(c.hostPath)) throw new CadreError("bad_request", `hostPath for ${c.path} must be absolute`);
    } else if (c.kind !== "delete") {
      throw new CadreError("bad_request", `invalid change kind for ${(c as { path: string }).path}`);
    }
  }

  return withTempDir("commit", async (tmp) => {
    const env = { GIT_INDEX_FILE: join(tmp, "index") };
    const parentTreeP = treeOf(gitDir, parent);
    await runGitIn(gitDir, ["read-tree", "--end-of-options", parent], { env });

    // Contents to hash: regular files directly, symlink targets via small temp files; one batch.
    const upserts = changes.filter((c): c is Extract<FileChange, { kind: "upsert" }> => c.kind === "upsert");
    const hashPaths: string[] = [];
    let linkCount = 0;
    for (const c of upserts) {
      const st = await lstat(c.hostPath).catch(() => null);
      if (!st) throw new CadreError("bad_request", `cannot read ${c.path}: ${c.hostPath} does not exist`);
      if (c.mode === "120000") {
        const target = st.isSymbolicLink() ? await readlink(c.hostPath, { encoding: "buffer" }) : null;
        if (target === null && !st.isFile())
          throw new CadreError(
            "bad_request",
            `cannot commit ${c.path} as a symlink: ${c.hostPath} is neither a symlink nor a file`,
          );
        const linkFile = join(tmp, `link-${linkCount++}`);
        if (target !== null) await writeFile(linkFile, target);
        hashPaths.push(target !== null ? linkFile : c.hostPath);
      } else {
        // Never follow a symlink out of the workspace for a regular-file entry.
        if (!st.isFile())
          throw new CadreError(
            "bad_request",
            `cannot commit ${c.path} as a regular file: ${c.hostPath} is ${st.isSymbolicLink() ? "a symlink" : "not a regular file"}`,
          );
        hashPaths.push(c.hostPath);
      }
    }
    let oids: string[] = [];
    if (hashPaths.length > 0) {
      const awkward = hashPaths.filter((p) => p.includes("\n"));
      if (awkward.length > 0)
        throw new CadreError("bad_request", `host paths with line breaks are not supported: ${awkward[0]}`);
      const res = await runGitIn(gitDir, ["hash-object", "-w", "--no-filters", "--stdin-paths"], {
        input: `${hashPaths.join("\n")}\n`,
      });
      oids = res.stdout.toString("utf8").split("\n").filter(Boolean);
      if (oids.length !== hashPaths.length)
        throw new CadreError("git_failed", `hash-object returned ${oids.length} ids for ${hashPaths.length} files`);
    }

    const zero = "0".repeat(parent.length);
    const lines: string[] = [];
    for (const c of changes) if (c.kind === "delete") lines.push(`0 ${zero}\t${c.path}\0`);
    upserts.forEach((c, i) => lines.push(`${c.mode} ${oids[i]}\t${c.path}\0`));
    if (lines.length > 0)
      await runGitIn(gitDir, ["update-index", "-z", "--replace", "--index-info"], { env, input: lines.join("") });

    const tree = (await runGitIn(gitDir, ["write-tree"], { env })).stdout.toString("utf8").trim();
    const parentTree = await parentTreeP;
    let commit = parent;
    const changed = tree !== parentTree;
    if (changed) commit = await commitTree(gitDir, tree, [parent], input.message, input.author, input.committer);
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
      ? await commitTree(gitDir, tree, [parent], input.message, input.author, input.committer)
      : parent;
    if (input.ref) await updateRef(gitDir, input.ref, commit, { message: "cadre: commit directory" });
    return { commit, tree, changed };
  });
}
