import type { PatchFile, PatchHunk } from "@cadre/git";

/** How far from its recorded position a hunk's old lines may have moved and still be found. */
const FUZZ_LINES = 200;

function sameAt(lines: string[], at: number, expected: string[]): boolean {
  if (at < 0 || at + expected.length > lines.length) return false;
  return expected.every((l, k) => lines[at + k] === l);
}

function locate(lines: string[], expected: string[], guess: number): number {
  if (sameAt(lines, guess, expected)) return guess;
  for (let d = 1; d <= FUZZ_LINES; d++) {
    if (sameAt(lines, guess - d, expected)) return guess - d;
    if (sameAt(lines, guess + d, expected)) return guess + d;
  }
  return -1;
}

/**
 * The new version of a text file from its old version and the file's hunks, for the diff
 * editor's right side (the change itself is applied to the work tree by git, not by this).
 * Returns null when the old text does not match the hunks.
 */
export function applyHunksInMemory(oldText: string, hunks: PatchHunk[]): string | null {
  const endsWithNewline = oldText === "" || oldText.endsWith("\n");
  const lines = oldText === "" ? [] : oldText.replace(/\n$/, "").split("\n");
  let newEndsWithNewline = endsWithNewline;
  let shift = 0;
  for (const h of hunks) {
    const oldPart: string[] = [];
    const newPart: string[] = [];
    let last: "old" | "new" | "both" = "both";
    let noNewlineOld = false;
    let noNewlineNew = false;
    for (const l of h.lines) {
      if (l.startsWith("\\")) {
        // "\ No newline at end of file" refers to the line before it: old side, new side or both.
        if (last === "old") noNewlineOld = true;
        else noNewlineNew = true;
        continue;
      }
      const body = l.slice(1);
      if (l.startsWith("-")) {
        oldPart.push(body);
        last = "old";
      } else if (l.startsWith("+")) {
        newPart.push(body);
        last = "new";
      } else {
        oldPart.push(body);
        newPart.push(body);
        last = "both";
      }
    }
    const guess = Math.max(0, (h.oldLines === 0 ? h.oldStart : h.oldStart - 1) + shift);
    const at = oldPart.length === 0 ? Math.min(guess, lines.length) : locate(lines, oldPart, guess);
    if (at < 0) return null;
    if (noNewlineNew) newEndsWithNewline = false;
    else if (noNewlineOld) newEndsWithNewline = true;
    lines.splice(at, oldPart.length, ...newPart);
    shift += newPart.length - oldPart.length + (at - guess);
  }
  if (lines.length === 0) return "";
  return `${lines.join("\n")}${newEndsWithNewline ? "\n" : ""}`;
}

/** The new content of a whole file of a patch whose old content is `oldText`. */
export function newContentOf(file: PatchFile, oldText: string): string | null {
  if (file.status === "deleted") return "";
  if (file.binary) return null;
  return applyHunksInMemory(file.status === "added" ? "" : oldText, file.hunks);
}
