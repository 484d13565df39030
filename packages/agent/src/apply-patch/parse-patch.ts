import { PatchError } from "./patch-error.ts";
import type { ParsedPatch, PatchHunk, UpdateChunk } from "./patch-types.ts";

const BEGIN = "*** Begin Patch";
const END = "*** End Patch";
const EOF_MARKER = "*** End of File";
const HEADER = /^\*\*\*\s*(Add File|Delete File|Update File|Move to):\s*(.*)$/;
// `<<'EOF'`, `<<"EOF"`, `<<EOF`, optionally preceded by the command name: models wrap patches like shell heredocs.
const HEREDOC_START = /^(?:\S+\s+)?<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1$/;

/** Parses the apply_patch format (grammar.ts has its grammar), tolerating heredoc wrappers and padded marker lines. */
export function parsePatch(text: string): ParsedPatch {
  const lines = stripHeredoc(trimBlankEdges(text.replace(/\r\n/g, "\n").split("\n")));
  if (lines.length === 0)
    throw new PatchError(
      "The patch is empty. Send a patch that starts with '*** Begin Patch' and ends with '*** End Patch'.",
    );
  if (lines[0]?.trim() !== BEGIN) {
    throw new PatchError(
      `The first line of the patch must be '${BEGIN}' (got '${lines[0] ?? ""}'). Start the patch with '${BEGIN}'.`,
    );
  }
  if (lines[lines.length - 1]?.trim() !== END || lines.length < 2) {
    throw new PatchError(`The last line of the patch must be '${END}'. End the patch with '${END}'.`);
  }
  const body = lines.slice(1, -1);
  const hunks: PatchHunk[] = [];
  let i = 0;
  while (i < body.length) {
    const line = body[i] ?? "";
    if (line.trim() === "") {
      i++;
      continue;
    }
    const header = HEADER.exec(line.trim());
    if (!header || header[1] === "Move to") {
      throw new PatchError(
        `Line ${i + 2} of the patch: '${line}' is not a valid hunk header. Each hunk starts with '*** Add File: <path>', '*** Delete File: <path>' or '*** Update File: <path>'.`,
      );
    }
    const kind = header[1];
    const path = (header[2] ?? "").trim();
    if (path === "")
      throw new PatchError(`Line ${i + 2} of the patch: '${line.trim()}' names no file. Put the path after the colon.`);
    i++;
    if (kind === "Delete File") {
      hunks.push({ type: "delete", path });
      continue;
    }
    if (kind === "Add File") {
      const added: string[] = [];
      while (i < body.length && !isHunkHeader(body[i] ?? "")) {
        const l = body[i] ?? "";
        if (l.startsWith("+")) added.push(l.slice(1));
        else if (l.trim() !== "" || !onlyBlankUntilHeader(body, i)) {
          throw new PatchError(
            `In '*** Add File: ${path}': line '${l}' does not start with '+'. Every line of an added file must start with '+'.`,
          );
        }
        i++;
      }
      hunks.push({ type: "add", path, contents: added.length === 0 ? "" : `${added.join("\n")}\n` });
      continue;
    }
    // Update File
    let moveTo: string | null = null;
    const move = HEADER.exec((body[i] ?? "").trim());
    if (move && move[1] === "Move to") {
      moveTo = (move[2] ?? "").trim();
      if (moveTo === "")
        throw new PatchError(
          `In '*** Update File: ${path}': '*** Move to:' names no file. Put the new path after the colon.`,
        );
      i++;
    }
    const start = i;
    while (i < body.length && !isMarker(body[i] ?? "", isHunkHeader)) i++;
    const chunks = parseChunks(body.slice(start, i), path);
    if (chunks.length === 0 && moveTo === null) {
      throw new PatchError(
        `'*** Update File: ${path}' has no changes. Add '-'/'+' lines (with ' ' context lines), or remove the hunk.`,
      );
    }
    hunks.push({ type: "update", path, moveTo, chunks });
  }
  if (hunks.length === 0)
    throw new PatchError(
      "The patch contains no hunks. Add at least one '*** Add File:', '*** Delete File:' or '*** Update File:' section.",
    );
  return { hunks };
}

function parseChunks(lines: string[], path: string): UpdateChunk[] {
  const chunks: UpdateChunk[] = [];
  let current: UpdateChunk | null = null;
  const fresh = (): UpdateChunk => ({ contexts: [], oldLines: [], newLines: [], newFromOld: [], isEndOfFile: false });
  const hasLines = (c: UpdateChunk | null): boolean => c !== null && (c.oldLines.length > 0 || c.newLines.length > 0);
  // Trailing blank lines before the next header are separators, not context.
  let end = lines.length;
  while (end > 0 && (lines[end - 1] ?? "") === "") end--;
  for (let i = 0; i < end; i++) {
    const line = lines[i] ?? "";
    const trimmed = line.trim();
    if (isMarker(line, (text) => text.trim() === "@@" || text.trim().startsWith("@@ "))) {
      if (current && hasLines(current)) chunks.push(current);
      if (!current || hasLines(current) || current.isEndOfFile) current = fresh();
      const ctx = trimmed.slice(2).trim();
      // `@@ ctx @@` (unified-diff habit): keep only the header text.
      const cleaned = ctx.replace(/\s*@@$/, "");
      if (cleaned !== "") current.contexts.push(cleaned);
      continue;
    }
    if (isMarker(line, (text) => text.trim() === EOF_MARKER)) {
      if (!current || !hasLines(current))
        throw new PatchError(`In '*** Update File: ${path}': '${EOF_MARKER}' must follow the lines of a chunk.`);
      current.isEndOfFile = true;
      chunks.push(current);
      current = null;
      continue;
    }
    if (!current) current = fresh();
    const tag = line[0];
    if (tag === " " || line === "") {
      // An empty line is a blank context line whose leading space the model dropped.
      const l = line.slice(1);
      current.newFromOld.push(current.oldLines.length);
      current.oldLines.push(l);
      current.newLines.push(l);
    } else if (tag === "-") current.oldLines.push(line.slice(1));
    else if (tag === "+") {
      current.newFromOld.push(null);
      current.newLines.push(line.slice(1));
    } else {
      throw new PatchError(
        `In '*** Update File: ${path}': line '${line}' must start with ' ' (context), '-' (remove) or '+' (add), or be an '@@' header.`,
      );
    }
  }
  if (current && hasLines(current)) chunks.push(current);
  else if (current && current.contexts.length > 0) {
    throw new PatchError(
      `In '*** Update File: ${path}': '@@ ${current.contexts.join(" ")}' is followed by no change lines.`,
    );
  }
  return chunks;
}

/**
 * Whether a line of an Update hunk is a marker (`@@`, `*** End of File`, the next hunk's header).
 * One space then text is a context line, even when the text looks like a marker (a diff or a
 * document that shows patch syntax); markers padded otherwise are still markers.
 */
function isMarker(line: string, matches: (line: string) => boolean): boolean {
  return !/^ \S/.test(line) && matches(line);
}

function isHunkHeader(line: string): boolean {
  const m = HEADER.exec(line.trim());
  return m !== null && m[1] !== "Move to";
}

function onlyBlankUntilHeader(lines: string[], from: number): boolean {
  for (let i = from; i < lines.length && !isHunkHeader(lines[i] ?? ""); i++)
    if ((lines[i] ?? "").trim() !== "") return false;
  return true;
}

function trimBlankEdges(lines: string[]): string[] {
  let s = 0;
  let e = lines.length;
  while (s < e && (lines[s] ?? "").trim() === "") s++;
  while (e > s && (lines[e - 1] ?? "").trim() === "") e--;
  return lines.slice(s, e);
}

function stripHeredoc(lines: string[]): string[] {
  const m = HEREDOC_START.exec((lines[0] ?? "").trim());
  if (!m) return lines;
  const last = lines.length - 1;
  const body = (lines[last] ?? "").trim() === m[2] ? lines.slice(1, last) : lines.slice(1);
  return trimBlankEdges(body);
}
