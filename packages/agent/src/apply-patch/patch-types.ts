/** One `@@`-introduced run of context, removed and added lines inside an `Update File` hunk. */
export interface UpdateChunk {
  /** `@@ text` headers before the chunk, each narrowing the search to after the first line equal to it. */
  contexts: string[];
  oldLines: string[];
  newLines: string[];
  /** For each new line that is a context line, the index of the same line in `oldLines` (so a fuzzy match keeps the file's own text); null for added lines. */
  newFromOld: Array<number | null>;
  /** `*** End of File` followed the chunk: it belongs at the end of the file. */
  isEndOfFile: boolean;
}

export type PatchHunk =
  | { type: "add"; path: string; contents: string }
  | { type: "delete"; path: string }
  | { type: "update"; path: string; moveTo: string | null; chunks: UpdateChunk[] };

export interface ParsedPatch {
  hunks: PatchHunk[];
}
