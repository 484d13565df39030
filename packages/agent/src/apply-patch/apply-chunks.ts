import { PatchError } from "./patch-error.ts";
import type { UpdateChunk } from "./patch-types.ts";
import { seekSequence } from "./seek-sequence.ts";

/**
 * Applies an Update hunk's chunks, in order, to a file's content. Keeps the file's line
 * ending (CRLF stays CRLF) and always ends the result with one.
 * `label` names the hunk in errors, e.g. "hunk 2 (*** Update File: src/a.ts)".
 */
export function applyChunks(content: string, chunks: readonly UpdateChunk[], label: string): string {
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  const lines = content.split("\n").map((l) => (eol === "\r\n" && l.endsWith("\r") ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();

  const replacements: Array<{ at: number; remove: number; insert: string[] }> = [];
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
      replacements.push({ at, remove: 0, insert: chunk.newLines });
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
    replacements.push({ at: idx, remove: old.length, insert });
    cursor = idx + old.length;
  });

  // Later chunks never precede earlier ones (the cursor only moves forward), so apply from the end.
  // Ties (two insertions at one place) go later-chunk-first so they end up in patch order.
  const ordered = replacements.map((r, k) => ({ ...r, k })).sort((a, b) => b.at - a.at || b.k - a.k);
  for (const r of ordered) lines.splice(r.at, r.remove, ...r.insert);
  return lines.length === 0 ? "" : lines.join(eol) + eol;
}
