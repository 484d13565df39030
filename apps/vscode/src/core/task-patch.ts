import { chosenAttempt, fetchWholeDiff, type CadreClient } from "@cadre/client";
import { parsePatch, patchFilePath, type PatchFile } from "@cadre/git";
import { CadreError, type Attempt, type TaskWithAttempts } from "@cadre/protocol";

export interface TaskPatch {
  task: TaskWithAttempts;
  attempt: Attempt;
  /** The whole unified diff of the attempt against the task's base commit. */
  text: string;
  /** The attempt head the diff was made from. */
  head: string;
  files: PatchFile[];
}

/** Fetches an attempt's whole diff (all file pages) and parses it into files and hunks. */
export async function fetchTaskPatch(client: CadreClient, taskId: string, attemptIndex?: number): Promise<TaskPatch> {
  const task = await client.call("getTask", { params: { id: taskId } });
  const attempt = chosenAttempt(task, attemptIndex);
  if (!attempt)
    throw new CadreError("not_found", `task ${taskId} has no attempt${attemptIndex ? ` ${attemptIndex}` : ""}`);
  const diff = await fetchWholeDiff(client, attempt.id);
  return { task, attempt, text: diff.patch, head: diff.head, files: parsePatch(diff.patch) };
}

/** One line describing a hunk for a picker: its header and the first changed line. */
export function hunkSummary(file: PatchFile, index: number): string {
  const h = file.hunks[index];
  if (!h) return "";
  const changed = h.lines.find((l) => l.startsWith("+") || l.startsWith("-")) ?? "";
  const plus = h.lines.filter((l) => l.startsWith("+")).length;
  const minus = h.lines.filter((l) => l.startsWith("-")).length;
  return `lines ${h.newStart}-${h.newStart + Math.max(h.newLines - 1, 0)} (+${plus} -${minus}) ${changed.slice(0, 80)}`;
}

/** Added, deleted, renamed, binary and mode-only files are taken whole (see selectPatch). */
export function isWholeFile(file: PatchFile): boolean {
  return file.binary || file.status !== "modified" || file.hunks.length === 0;
}

export { patchFilePath };
