import { stat } from "node:fs/promises";
import { isAbsolute } from "node:path";
import { fetchWholeDiff, type CadreClient } from "@cadre/client";
import { applyPatchToWorkTree, parsePatch, selectPatch, type ApplyPatchResult } from "@cadre/git";
import { CadreError } from "@cadre/protocol";
import { resolveAttempt } from "../commands/attempt-target.ts";

export interface ApplyToPathInput {
  taskId: string;
  attempt?: number | undefined;
  /** Absolute path inside a clone of the task's repository. */
  path: string;
  /** Only these files (default: the whole change). */
  files?: string[] | undefined;
  /** Record the task as pulled locally once something landed (default true, as `cadre apply`). */
  record?: boolean | undefined;
}

/** Pulls a task's change into a local work tree through @cadre/git's apply (the same path as `cadre apply`). */
export async function applyTaskToPath(
  client: CadreClient,
  input: ApplyToPathInput,
): Promise<ApplyPatchResult & { taskId: string; attempt: number }> {
  if (!isAbsolute(input.path))
    throw new CadreError(
      "bad_request",
      `path must be absolute, got ${JSON.stringify(input.path)}: pass the full path of a clone of the repository`,
    );
  const entry = await stat(input.path).catch(() => null);
  if (!entry?.isDirectory())
    throw new CadreError(
      "bad_request",
      `${input.path} is not a directory: pass the full path of a clone of the repository`,
    );
  const { task, attempt } = await resolveAttempt(client, input.taskId, input.attempt);
  if (!attempt.headCommit)
    throw new CadreError(
      "conflict",
      `attempt ${attempt.index} of task ${task.id} has no changes yet (status ${attempt.status}); wait for it to finish`,
    );
  const { patch } = await fetchWholeDiff(client, attempt.id);
  if (!patch.trim()) return { taskId: task.id, attempt: attempt.index, applied: [], conflicted: [], skipped: [] };
  const chosen = input.files?.length ? selectPatch(parsePatch(patch), { files: input.files }) : patch;
  const result = await applyPatchToWorkTree({ cwd: input.path, patch: chosen, threeWay: true });
  if (
    (input.record ?? true) &&
    result.applied.length + result.conflicted.length > 0 &&
    task.review.state === "pending"
  ) {
    await client
      .call("approveTask", { params: { id: task.id }, body: { attempt: attempt.index, pulledLocally: true } })
      .catch(() => undefined);
  }
  return { taskId: task.id, attempt: attempt.index, ...result };
}
