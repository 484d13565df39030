import { isWholeUnit, patchFilePath, type PatchFile, type PatchHunk, type PatchSelection } from "./patch.ts";

export interface SelectionCount {
  hunks: number;
  totalHunks: number;
  files: number;
  totalFiles: number;
}

export interface SelectionMatch {
  /** The chosen units as indexes into `change` (files taken whole, hunks by position). */
  selection: Required<PatchSelection>;
  counts: SelectionCount;
  /** Every unit of the change was chosen. */
  whole: boolean;
  /** What in the chosen patch is not part of the change (empty when everything matched). */
  unmatched: string[];
}

function unitsOf(file: PatchFile): number {
  return isWholeUnit(file) ? 1 : file.hunks.length;
}

function sameHunk(a: PatchHunk, b: PatchHunk): boolean {
  // The old side never shifts when earlier hunks are skipped; the new side does, so it is not compared.
  return (
    a.oldStart === b.oldStart &&
    a.oldLines === b.oldLines &&
    a.lines.length === b.lines.length &&
    a.lines.every((line, i) => line === b.lines[i])
  );
}

function sameWholeUnit(a: PatchFile, b: PatchFile): boolean {
  if (a.binary !== b.binary || a.status !== b.status || a.hunks.length !== b.hunks.length) return false;
  if (a.binary) return a.binaryLines.join("\n") === b.binaryLines.join("\n");
  return a.hunks.every((h, i) => sameHunk(h, b.hunks[i] as PatchHunk));
}

const keyOf = (f: PatchFile): string => `${f.oldPath ?? ""}\0${f.newPath ?? ""}`;

/**
 * Which units of `change` a patch cut from it (`chosen`, e.g. the accepted hunks of the web diff
 * or a `cadre apply --patch` file) holds. Files are matched by their old and new paths, hunks by
 * their old-side position and exact lines, so a hunk moved by skipped hunks before it still
 * matches while an edited or foreign one does not. Counts treat a whole-file change as one hunk.
 */
export function matchSelection(change: PatchFile[], chosen: PatchFile[]): SelectionMatch {
  const byKey = new Map(change.map((f) => [keyOf(f), f] as const));
  const selection: Required<PatchSelection> = { files: [], hunks: [] };
  const unmatched: string[] = [];
  const seenFiles = new Set<string>();
  let hunks = 0;
  for (const file of chosen) {
    const path = patchFilePath(file);
    const own = byKey.get(keyOf(file));
    if (!own) {
      unmatched.push(`${path} is not part of the change`);
      continue;
    }
    if (seenFiles.has(keyOf(own))) {
      unmatched.push(`${path} appears twice`);
      continue;
    }
    seenFiles.add(keyOf(own));
    if (isWholeUnit(own)) {
      if (sameWholeUnit(file, own)) {
        selection.files.push(patchFilePath(own));
        hunks += 1;
      } else unmatched.push(`${path} differs from the change`);
      continue;
    }
    let from = 0;
    for (const hunk of file.hunks) {
      const index = own.hunks.findIndex((h, i) => i >= from && sameHunk(h, hunk));
      if (index < 0) {
        unmatched.push(`${path} hunk ${hunk.header} is not part of the change`);
        continue;
      }
      selection.hunks.push({ path: patchFilePath(own), index });
      hunks += 1;
      from = index + 1;
    }
  }
  const totalHunks = change.reduce((n, f) => n + unitsOf(f), 0);
  const files = new Set([...selection.files, ...selection.hunks.map((h) => h.path)]).size;
  return {
    selection,
    counts: { hunks, totalHunks, files, totalFiles: change.length },
    whole: unmatched.length === 0 && hunks === totalHunks,
    unmatched,
  };
}

/** How much of `change` a selection by path and hunk index takes (files named whole take all their hunks). */
export function countSelection(change: PatchFile[], selection: PatchSelection): SelectionCount {
  const wholeFiles = new Set(selection.files ?? []);
  const hunksByPath = new Map<string, Set<number>>();
  for (const h of selection.hunks ?? []) hunksByPath.set(h.path, (hunksByPath.get(h.path) ?? new Set()).add(h.index));
  let hunks = 0;
  let files = 0;
  for (const file of change) {
    const names = [file.newPath, file.oldPath].filter((p): p is string => p !== null);
    const units = unitsOf(file);
    const taken = names.some((n) => wholeFiles.has(n))
      ? units
      : Math.min(units, new Set(names.flatMap((n) => [...(hunksByPath.get(n) ?? [])])).size);
    hunks += taken;
    if (taken > 0) files += 1;
  }
  return { hunks, totalHunks: change.reduce((n, f) => n + unitsOf(f), 0), files, totalFiles: change.length };
}
