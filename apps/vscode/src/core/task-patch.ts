import type { CadreClient } from "@cadre/client";
import { parsePatch, patchFilePath, type PatchFile } from "@cadre/git";
import type { Attempt, TaskWithAttempts } from "@cadre/protocol";

/** The attempt whose change the user is looking at: the reviewed one, the only one, or the first completed. */
export function chosenAttempt(task: TaskWithAttempts, index?: number): Attempt | undefined {
  if (index !== undefined) return task.attempts.find((a) => a.index === index);
  return task.attempts.find((a) => a.id === task.review.attemptId)
    ?? (task.attempts.length === 1 ? task.attempts[0] : undefined)
    ?? task.attempts.find((a) => a.status === "completed")
    ?? task.attempts[0];
}

export interface TaskPatch {
  task: TaskWithAttempts;
  attempt: Attempt;
  /** The whole unified diff of the attempt against the task's base commit. */
  text: string;
  files: PatchFile[];
}

/** Fetches an attempt's whole diff (all file pages) and parses it into files and hunks. */
export async function fetchTaskPatch(client: CadreClient, taskId: string, attemptIndex?: number): Promise<TaskPatch> {
  const task = await client.call("getTask", { params: { id: taskId } });
  const attempt = chosenAttempt(task, attemptIndex);
  if (!attempt) throw new Error(`task ${taskId} has no attempt${attemptIndex ? ` ${attemptIndex}` : ""}`);
  let text = "";
  let cursor: string | undefined;
  do {
    const page = await client.call("attemptDiff", { params: { id: attempt.id }, query: { limit: 1000, ...(cursor ? { cursor } : {}) } });
    text += page.patch;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { task, attempt, text, files: parsePatch(text) };
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
