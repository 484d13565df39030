import { CadreError } from "@cadre/protocol";

export interface PatchHunk {
  /** The `@@ -a,b +c,d @@ …` line as it appeared. */
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  /** Body lines, each starting with ' ', '+', '-' or '\' ("\ No newline at end of file"). */
  lines: string[];
}

export type PatchFileStatus = "added" | "deleted" | "modified" | "renamed" | "copied";

export interface PatchFile {
  /** Path before the change (null for a new file). */
  oldPath: string | null;
  /** Path after the change (null for a deleted file). */
  newPath: string | null;
  status: PatchFileStatus;
  /** Lines from `diff --git` up to the first hunk or binary data (mode, index, ---/+++ lines…). */
  header: string[];
  binary: boolean;
  /** For binary files: the `GIT binary patch` block (or the `Binary files … differ` line). */
  binaryLines: string[];
  oldMode: string | null;
  newMode: string | null;
  /** Set when the file mode changes (e.g. 100644 → 100755). */
  modeChange: { oldMode: string; newMode: string } | null;
  similarity: number | null;
  hunks: PatchHunk[];
}

export interface PatchSelection {
  /** Files to take whole (matched against the new or the old path). */
  files?: string[];
  /** Hunks to take, by file path and 0-based hunk index. */
  hunks?: { path: string; index: number }[];
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$/;

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, "\\": 92 };

/** Decodes a C-style quoted git path ("a\tb\303\251"), or returns the text unchanged. */
export function unquotePath(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== "\\") {
      for (const b of Buffer.from(ch, "utf8")) bytes.push(b);
      continue;
    }
    const next = body[i + 1] ?? "";
    if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i + 1))?.[0] ?? "0";
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length;
    } else {
      bytes.push(C_ESCAPES[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString("utf8");
}

/** Reads one (possibly quoted) path token from the start of `text`; returns it and the rest. */
function readToken(text: string): [string, string] {
  if (text.startsWith('"')) {
    let i = 1;
    while (i < text.length) {
      if (text[i] === "\\") i += 2;
      else if (text[i] === '"') break;
      else i++;
    }
    return [unquotePath(text.slice(0, i + 1)), text.slice(i + 1).replace(/^ /, "")];
  }
  const sp = text.indexOf(" ");
  return sp < 0 ? [text, ""] : [text.slice(0, sp), text.slice(sp + 1)];
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** Paths of a `diff --git a/X b/Y` line (best effort for unquoted names with spaces). */
function parseGitHeaderPaths(rest: string): [string | null, string | null] {
  if (rest.startsWith('"') || !rest.includes(" ")) {
    const [a, after] = readToken(rest);
    const [b] = readToken(after);
    return [stripPrefix(a, "a/"), b ? stripPrefix(b, "b/") : null];
  }
  // Unquoted: the common case is the same name twice ("a/X b/X"), even if X has spaces.
  if ((rest.length - 1) % 2 === 0) {
    const half = (rest.length - 1) / 2;
    const left = rest.slice(0, half);
    const right = rest.slice(half + 1);
    if (rest[half] === " " && left.startsWith("a/") && right.startsWith("b/") && left.slice(2) === right.slice(2)) {
      return [left.slice(2), right.slice(2)];
    }
  }
  const idx = rest.indexOf(" b/");
  if (idx < 0) return [null, null];
  return [stripPrefix(rest.slice(0, idx), "a/"), rest.slice(idx + 3)];
}

function headerPath(value: string, prefix: string): string | null {
  const v = value.replace(/\t.*$/, "");
  if (v === "/dev/null") return null;
  return stripPrefix(unquotePath(v), prefix);
}

/** Parses a git-style unified diff into files and hunks. Text before the first file is ignored. */
export function parsePatch(text: string): PatchFile[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const files: PatchFile[] = [];
  let i = 0;
  const isFileStart = (k: number): boolean => {
    const l = lines[k] ?? "";
    if (l.startsWith("diff --git ")) return true;
    // A plain unified diff (no git header): "--- x" followed by "+++ y".
    return l.startsWith("--- ") && (lines[k + 1] ?? "").startsWith("+++ ") && HUNK_RE.test(lines[k + 2] ?? "");
  };
  while (i < lines.length && !isFileStart(i)) i++;
  while (i < lines.length) {
    const file: PatchFile = {
      oldPath: null,
      newPath: null,
      status: "modified",
      header: [],
      binary: false,
      binaryLines: [],
      oldMode: null,
      newMode: null,
      modeChange: null,
      similarity: null,
      hunks: [],
    };
    let isNew = false;
    let isDeleted = false;
    let minusPath: string | null | undefined;
    let plusPath: string | null | undefined;
    let renameFrom: string | undefined;
    let renameTo: string | undefined;
    let kind: "rename" | "copy" | null = null;
    const first = lines[i] as string;
    let gitPaths: [string | null, string | null] = [null, null];
    if (first.startsWith("diff --git ")) {
      gitPaths = parseGitHeaderPaths(first.slice("diff --git ".length));
      file.header.push(first);
      i++;
    }
    // Extended header lines.
    while (i < lines.length) {
      const l = lines[i] as string;
      if (
        l.startsWith("@@ ") ||
        l.startsWith("diff --git ") ||
        l === "GIT binary patch" ||
        l.startsWith("Binary files ")
      )
        break;
      if (l.startsWith("--- ") && !(lines[i + 1] ?? "").startsWith("+++ ")) break;
      file.header.push(l);
      i++;
      if (l.startsWith("new file mode ")) {
        isNew = true;
        file.newMode = l.slice(14).trim();
      } else if (l.startsWith("deleted file mode ")) {
        isDeleted = true;
        file.oldMode = l.slice(18).trim();
      } else if (l.startsWith("old mode ")) file.oldMode = l.slice(9).trim();
      else if (l.startsWith("new mode ")) file.newMode = l.slice(9).trim();
      else if (l.startsWith("rename from ")) {
        renameFrom = unquotePath(l.slice(12));
        kind = "rename";
      } else if (l.startsWith("rename to ")) renameTo = unquotePath(l.slice(10));
      else if (l.startsWith("copy from ")) {
        renameFrom = unquotePath(l.slice(10));
        kind = "copy";
      } else if (l.startsWith("copy to ")) renameTo = unquotePath(l.slice(8));
      else if (l.startsWith("similarity index ")) file.similarity = parseInt(l.slice(17), 10);
      else if (l.startsWith("index ")) {
        const mode = /^index \S+ (\d{6})$/.exec(l)?.[1];
        if (mode) {
          file.oldMode ??= mode;
          file.newMode ??= mode;
        }
      } else if (l.startsWith("--- ")) minusPath = headerPath(l.slice(4), "a/");
      else if (l.startsWith("+++ ")) {
        plusPath = headerPath(l.slice(4), "b/");
        break;
      }
    }
    file.oldPath = isNew ? null : (renameFrom ?? (minusPath !== undefined ? minusPath : gitPaths[0]));
    file.newPath = isDeleted ? null : (renameTo ?? (plusPath !== undefined ? plusPath : gitPaths[1]));
    if (minusPath === null) file.oldPath = null;
    if (plusPath === null) file.newPath = null;
    file.status =
      file.oldPath === null
        ? "added"
        : file.newPath === null
          ? "deleted"
          : kind === "rename"
            ? "renamed"
            : kind === "copy"
              ? "copied"
              : "modified";
    if (!isNew && !isDeleted && file.oldMode && file.newMode && file.oldMode !== file.newMode) {
      file.modeChange = { oldMode: file.oldMode, newMode: file.newMode };
    }

    // Body: binary data or hunks, up to the next file.
    const cur = lines[i] ?? "";
    if (cur === "GIT binary patch" || cur.startsWith("Binary files ")) {
      file.binary = true;
      // Literal/delta blocks, each ending with a blank line, up to the next file.
      while (i < lines.length && !isFileStart(i)) file.binaryLines.push(lines[i++] as string);
    } else {
      while (i < lines.length && !isFileStart(i)) {
        const l = lines[i] as string;
        const m = HUNK_RE.exec(l);
        if (!m) {
          i++; // junk between hunks (e.g. a format-patch signature)
          continue;
        }
        const hunk: PatchHunk = {
          header: l,
          oldStart: Number(m[1]),
          oldLines: m[2] === undefined ? 1 : Number(m[2]),
          newStart: Number(m[3]),
          newLines: m[4] === undefined ? 1 : Number(m[4]),
          lines: [],
        };
        i++;
        let oldLeft = hunk.oldLines;
        let newLeft = hunk.newLines;
        while (i < lines.length && (oldLeft > 0 || newLeft > 0)) {
          const b = lines[i] as string;
          const c = b[0];
          if (c === " " || b === "") {
            oldLeft--;
            newLeft--;
          } else if (c === "-") oldLeft--;
          else if (c === "+") newLeft--;
          else if (c !== "\\") break; // malformed: stop this hunk
          hunk.lines.push(b);
          i++;
        }
        while (i < lines.length && (lines[i] as string).startsWith("\\")) hunk.lines.push(lines[i++] as string);
        if (oldLeft > 0 || newLeft > 0) {
          throw new CadreError(
            "bad_request",
            `malformed patch: hunk ${hunk.header} of ${file.newPath ?? file.oldPath ?? "?"} is truncated`,
          );
        }
        file.hunks.push(hunk);
      }
    }
    files.push(file);
  }
  return files;
}

function hunkHeader(h: PatchHunk, newStart: number): string {
  if (newStart === h.newStart) return h.header;
  const m = HUNK_RE.exec(h.header);
  return `@@ -${h.oldStart},${h.oldLines} +${newStart},${h.newLines} @@${m?.[5] ?? ""}`;
}

/** Formats one file of a patch, optionally with only some of its hunks (indices in order). */
export function formatPatchFile(file: PatchFile, hunkIndices?: number[]): string {
  const out = [...file.header];
  if (file.binary) out.push(...file.binaryLines);
  else {
    const keep = hunkIndices ? new Set(hunkIndices) : null;
    let shift = 0; // net lines added by skipped hunks before the current one
    file.hunks.forEach((h, idx) => {
      if (keep && !keep.has(idx)) {
        shift += h.newLines - h.oldLines;
        return;
      }
      out.push(hunkHeader(h, h.newStart - shift), ...h.lines);
    });
  }
  return out.length === 0 ? "" : `${out.join("\n")}\n`;
}

/** Formats parsed files back into a patch. */
export function formatPatch(files: PatchFile[]): string {
  return files.map((f) => formatPatchFile(f)).join("");
}

/** The path a file is known by: its new path, or its old path when deleted. */
export function patchFilePath(file: PatchFile): string {
  return file.newPath ?? file.oldPath ?? "";
}

/** Whether a file's change can only be taken whole (binary, added, deleted, renamed, copied, mode-only). */
export function isWholeUnit(file: PatchFile): boolean {
  return file.binary || file.status !== "modified" || file.hunks.length === 0;
}

/**
 * A valid patch holding only the chosen files and hunks. Binary, renamed, copied, added and
 * deleted files (and mode-only changes) are whole-file units: choosing any hunk of them takes the
 * whole file. Later hunks of a partially chosen file get their line numbers adjusted. With no
 * selection at all, the whole patch is returned.
 */
export function selectPatch(files: PatchFile[], selection: PatchSelection): string {
  if (!selection.files && !selection.hunks) return formatPatch(files);
  const wanted = new Set(selection.files ?? []);
  const hunksByPath = new Map<string, Set<number>>();
  for (const h of selection.hunks ?? []) {
    if (!Number.isInteger(h.index) || h.index < 0)
      throw new CadreError("bad_request", `invalid hunk index ${h.index} for ${h.path}`);
    const set = hunksByPath.get(h.path) ?? new Set<number>();
    set.add(h.index);
    hunksByPath.set(h.path, set);
  }
  const matched = new Set<string>();
  const out: string[] = [];
  for (const file of files) {
    const names = [file.newPath, file.oldPath].filter((p): p is string => p !== null);
    const whole = names.some((n) => wanted.has(n));
    const picks = new Set<number>();
    for (const n of names) {
      if (wanted.has(n)) matched.add(`f:${n}`);
      const set = hunksByPath.get(n);
      if (!set) continue;
      matched.add(`h:${n}`);
      for (const idx of set) {
        if (!isWholeUnit(file) && idx >= file.hunks.length) {
          throw new CadreError(
            "bad_request",
            `hunk ${idx} of ${n} does not exist (the file has ${file.hunks.length} hunks)`,
          );
        }
        picks.add(idx);
      }
    }
    if (whole || (picks.size > 0 && isWholeUnit(file))) out.push(formatPatchFile(file));
    else if (picks.size > 0)
      out.push(
        formatPatchFile(
          file,
          [...picks].sort((a, b) => a - b),
        ),
      );
  }
  const missing = [...wanted]
    .filter((p) => !matched.has(`f:${p}`))
    .concat([...hunksByPath.keys()].filter((p) => !matched.has(`h:${p}`)));
  if (missing.length > 0) throw new CadreError("bad_request", `not in the patch: ${missing.join(", ")}`);
  return out.join("");
}
