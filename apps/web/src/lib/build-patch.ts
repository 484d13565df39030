import type { SelectionCounts } from "@cadre/protocol";
import type { DiffFile, DiffHunk } from "./unified-diff.ts";

/** Which hunks are accepted: a file's key maps to the indexes of its skipped hunks. */
export type HunkSelection = ReadonlyMap<string, ReadonlySet<number>>;

export function fileKey(file: DiffFile): string {
  return file.path;
}

/**
 * Whole-file changes (new, deleted, binary, hunk-less renames) cannot be taken in part:
 * their one switch is hunk 0.
 */
export function isAtomic(file: DiffFile): boolean {
  return file.isNew || file.isDeleted || file.binary || file.hunks.length === 0;
}

export function isHunkAccepted(sel: HunkSelection, file: DiffFile, index: number): boolean {
  const skipped = sel.get(fileKey(file));
  if (!skipped) return true;
  return !skipped.has(isAtomic(file) ? 0 : index);
}

function hunkHeader(h: DiffHunk, newStart: number): string {
  return `@@ -${h.oldStart},${h.oldCount} +${newStart},${h.newCount} @@${h.section ? ` ${h.section}` : ""}`;
}

/**
 * The patch of the accepted hunks only. Skipping a hunk shifts the new-side line numbers of
 * every later hunk in that file by the lines it would have added or removed, so each kept
 * hunk's `+start` is recomputed; `git apply` checks these counts.
 */
export function buildPatch(files: readonly DiffFile[], sel: HunkSelection): string {
  const out: string[] = [];
  for (const file of files) {
    if (isAtomic(file)) {
      if (!isHunkAccepted(sel, file, 0)) continue;
      out.push(...file.header);
      for (const h of file.hunks) out.push(hunkHeader(h, h.newStart), ...h.raw);
      continue;
    }
    const accepted = file.hunks.map((_, i) => isHunkAccepted(sel, file, i));
    if (!accepted.some(Boolean)) continue;
    out.push(...file.header);
    let allEarlier = 0;
    let acceptedEarlier = 0;
    file.hunks.forEach((h, i) => {
      if (accepted[i]) {
        // newStart - oldStart already includes every earlier hunk's shift (and git's zero-count offsets);
        // take out the skipped ones.
        out.push(hunkHeader(h, h.newStart - allEarlier + acceptedEarlier), ...h.raw);
        acceptedEarlier += h.newCount - h.oldCount;
      }
      allEarlier += h.newCount - h.oldCount;
    });
  }
  return out.length ? `${out.join("\n")}\n` : "";
}

export function countHunks(files: readonly DiffFile[], sel: HunkSelection): { accepted: number; total: number } {
  let accepted = 0;
  let total = 0;
  for (const f of files) {
    const n = isAtomic(f) ? 1 : f.hunks.length;
    total += n;
    for (let i = 0; i < n; i++) if (isHunkAccepted(sel, f, i)) accepted++;
  }
  return { accepted, total };
}

/** How much of the change the selection takes, in the server's terms (a whole-file change is one hunk). */
export function countSelection(files: readonly DiffFile[], sel: HunkSelection): SelectionCounts {
  let hunks = 0;
  let totalHunks = 0;
  let chosenFiles = 0;
  for (const f of files) {
    const n = isAtomic(f) ? 1 : f.hunks.length;
    let accepted = 0;
    for (let i = 0; i < n; i++) if (isHunkAccepted(sel, f, i)) accepted++;
    hunks += accepted;
    totalHunks += n;
    if (accepted > 0) chosenFiles++;
  }
  return { hunks, totalHunks, files: chosenFiles, totalFiles: files.length };
}
