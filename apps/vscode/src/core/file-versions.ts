import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { localFileAt, type PatchFile } from "@cadre/git";
import { newContentOf } from "./apply-hunks-in-memory.ts";
import { patchFilePath } from "./task-patch.ts";

export interface FileVersions {
  path: string;
  oldText: string;
  /** Null when it cannot be shown as text (binary, or the hunks do not fit the old text). */
  newText: string | null;
  /** Where the old text came from, for the diff title. */
  oldSource: "base commit" | "work tree" | "none";
}

/** A file at a commit in the local clone, or null when the clone lacks the commit or the file. */

/**
 * Both sides of one file of a task's change. The old side is the file at the task's base commit
 * when the clone has it (pushed and fetched), else the work tree's copy; the new side is the old
 * side with the hunks applied in memory.
 */
export async function fileVersions(root: string, baseCommit: string, file: PatchFile): Promise<FileVersions> {
  const path = patchFilePath(file);
  if (file.oldPath === null) return { path, oldText: "", newText: newContentOf(file, ""), oldSource: "none" };
  const fromBase = await localFileAt(root, baseCommit, file.oldPath);
  const oldText = fromBase ?? (await readFile(join(root, file.oldPath), "utf8").catch(() => ""));
  return {
    path,
    oldText,
    newText: newContentOf(file, oldText),
    oldSource: fromBase !== null ? "base commit" : "work tree",
  };
}
