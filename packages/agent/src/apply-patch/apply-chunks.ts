import { PatchError } from "./patch-error.ts";
import type { UpdateChunk } from "./patch-types.ts";
import { seekSequence } from "./seek-sequence.ts";

/**
 * Applies an Update hunk's chunks, in order, to a file's content. Every line keeps its own ending
 * (a file mixing CRLF and LF stays mixed); an added line takes the ending of the first line its
 * chunk removes, else the file's most common one. The result always ends with a line ending.
 * `label` names the hunk in errors, e.g. "hunk 2 (*** Update File: src/a.ts)".
 */
export function applyChunks(content: string, chunks: readonly UpdateChunk[], label: string): string {
  const { lines, endings } = splitLines(content);
  const common = mostCommonEnding(endings);

  const replacements: Array<{ at: number; remove: number; insert: string[]; insertEndings: string[] }> = [];
  let cursor = 0;
  chunks.forEach((chunk, n) => {
    const where = chunks.length > 1 ? `${label}, chunk ${n + 1}` : label;
    for (const ctx of chunk.contexts) {
      const idx = seekSequence(lines, [ctx], cursor, false);
      if (idx < 0) {
        throw new PatchError(
          `${where}: could not find the context line '@@ ${ctx}'${cursor > 0 ? " after the previous chunk" : ""}. ` +
            "The '@@' text must equal a line of the file (e.g. a function or class header). Re-read the file and retry.",
        );
      }
      cursor = idx + 1;
    }
    if (chunk.oldLines.length === 0) {
      // Pure insertion: right after the `@@` line when there is one, otherwise at the end of the file.
      const at = chunk.contexts.length > 0 && !chunk.isEndOfFile ? cursor : lines.length;
      replacements.push({ at, remove: 0, insert: chunk.newLines, insertEndings: chunk.newLines.map(() => common) });
      cursor = at;
      return;
    }
    let old = chunk.oldLines;
    let neu = chunk.newLines;
    let fromOld = chunk.newFromOld;
    let idx = seekSequence(lines, old, cursor, chunk.isEndOfFile);
    if (idx < 0 && old[old.length - 1] === "") {
      // A trailing blank context line is often the file's final newline, not a real line.
      old = old.slice(0, -1);
      if (neu[neu.length - 1] === "") {
        neu = neu.slice(0, -1);
        fromOld = fromOld.slice(0, -1);
      }
      idx = old.length === 0 ? -1 : seekSequence(lines, old, cursor, chunk.isEndOfFile);
    }
    if (idx < 0) {
      const scope =
        chunk.contexts.length > 0
          ? ` after '@@ ${chunk.contexts[chunk.contexts.length - 1]}'`
          : cursor > 0
            ? " after the previous chunk"
            : "";
      throw new PatchError(
        `${where}: could not find these lines${scope}${chunk.isEndOfFile ? " at the end of the file" : ""}:\n` +
          `${chunk.oldLines.join("\n")}\n` +
          "Context (' ') and removed ('-') lines must match the file's current content, in order. Re-read the file and retry.",
      );
    }
    // Context lines keep the file's text: a fuzzy match must not rewrite their whitespace or quotes.
    const insert = neu.map((l, k) => {
      const o = fromOld[k];
      return o !== null && o !== undefined && o < old.length ? (lines[idx + o] ?? l) : l;
    });
    const firstRemoved = old.findIndex((_, k) => !fromOld.includes(k));
    const addedEnding = firstRemoved >= 0 ? (endings[idx + firstRemoved] ?? common) : common;
    const insertEndings = neu.map((_, k) => {
      const o = fromOld[k];
      return o !== null && o !== undefined && o < old.length ? (endings[idx + o] ?? common) : addedEnding;
    });
    replacements.push({ at: idx, remove: old.length, insert, insertEndings });
    cursor = idx + old.length;
  });

  // Later chunks never precede earlier ones (the cursor only moves forward), so apply from the end.
  // Ties (two insertions at one place) go later-chunk-first so they end up in patch order.
  const ordered = replacements.map((r, k) => ({ ...r, k })).sort((a, b) => b.at - a.at || b.k - a.k);
  for (const r of ordered) {
    lines.splice(r.at, r.remove, ...r.insert);
    endings.splice(r.at, r.remove, ...r.insertEndings);
  }
  if (lines.length === 0) return "";
  // Most files use one ending throughout: join them as one string instead of line by line.
  const uniform = endings.every((ending, i) => ending === common || (ending === "" && i === endings.length - 1));
  return uniform ? lines.join(common) + common : lines.map((line, i) => line + (endings[i] || common)).join("");
}

/** Splits content into lines and the ending each had ("" for a last line without one). */
function splitLines(content: string): { lines: string[]; endings: string[] } {
  const lines = content.split("\n");
  const rest = lines.pop() ?? "";
  const endings: string[] = new Array<string>(lines.length).fill("\n");
  // Only a file with a carriage return somewhere needs its lines looked at one by one.
  const hasCarriageReturn = content.includes("\r");
  for (let i = 0; hasCarriageReturn && i < lines.length; i++) {
    const line = lines[i] ?? "";
    if (line.endsWith("\r")) {
      lines[i] = line.slice(0, -1);
      endings[i] = "\r\n";
    }
  }
  if (rest !== "") {
    lines.push(rest);
    endings.push("");
  }
  return { lines, endings };
}

function mostCommonEnding(endings: readonly string[]): string {
  let balance = 0;
  for (const ending of endings) balance += ending === "\r\n" ? 1 : ending === "\n" ? -1 : 0;
  return balance > 0 ? "\r\n" : "\n";
}
