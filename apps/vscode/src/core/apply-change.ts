import { applyPatchToWorkTree, selectPatch, type ApplyPatchResult, type PatchSelection } from "@cadre/git";
import type { TaskPatch } from "./task-patch.ts";

/**
 * Applies a task's change, or the chosen files and hunks of it, to the local work tree through
 * @cadre/git (the same preflighted, three-way apply as `cadre apply`).
 */
export async function applyChange(
  root: string,
  patch: TaskPatch,
  selection?: PatchSelection,
): Promise<ApplyPatchResult> {
  const text = selection ? selectPatch(patch.files, selection) : patch.text;
  return applyPatchToWorkTree({ cwd: root, patch: text, threeWay: true });
}

/** What to tell the user after an apply; `level` says how loudly. */
export function describeApply(r: ApplyPatchResult): { level: "info" | "warn"; message: string } {
  const parts: string[] = [];
  if (r.applied.length) parts.push(`applied ${r.applied.join(", ")}`);
  if (r.skipped.length) parts.push(`already present: ${r.skipped.join(", ")}`);
  if (r.conflicted.length) {
    parts.push(`CONFLICTS in ${r.conflicted.join(", ")}: resolve the conflict markers, then stage the files`);
    return { level: "warn", message: `Cadre: ${parts.join("; ")}.` };
  }
  return { level: "info", message: parts.length ? `Cadre: ${parts.join("; ")}.` : "Cadre: nothing to apply." };
}
