/** A parsed git unified diff, kept close to the text so accepted hunks can be written back out exactly. */
export interface DiffLine {
  kind: "context" | "add" | "del" | "meta";
  text: string;
  oldNo: number | null;
  newNo: number | null;
}

export interface DiffHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  /** The function/section text git prints after the second `@@`. */
  section: string;
  /** Body lines exactly as in the patch, prefix character included. */
  raw: string[];
  lines: DiffLine[];
  additions: number;
  deletions: number;
}

export interface DiffFile {
  path: string;
  oldPath: string | null;
  /** `diff --git` line and the extended headers up to the first hunk (binary patches included). */
  header: string[];
  hunks: DiffHunk[];
  isNew: boolean;
  isDeleted: boolean;
  binary: boolean;
}

const HUNK_RE = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$/;

function unquote(p: string): string {
  if (!p.startsWith('"')) return p;
  try {
    return JSON.parse(p) as string;
  } catch {
    return p.slice(1, -1);
  }
}

function pathsOf(header: string[]): { path: string; oldPath: string | null } {
  let oldP: string | null = null;
  let newP: string | null = null;
  for (const l of header) {
    if (l.startsWith("--- ")) oldP = l.slice(4) === "/dev/null" ? null : unquote(l.slice(4)).replace(/^a\//, "");
    else if (l.startsWith("+++ ")) newP = l.slice(4) === "/dev/null" ? null : unquote(l.slice(4)).replace(/^b\//, "");
    else if (l.startsWith("rename from ")) oldP = l.slice(12);
    else if (l.startsWith("rename to ")) newP = l.slice(10);
  }
  if (newP === null && oldP === null) {
    // No ---/+++ lines (binary, mode-only): read `diff --git a/x b/x`.
    const m = /^diff --git (?:"?a\/)(.+?)"? (?:"?b\/)(.+?)"?$/.exec(header[0] ?? "");
    return { path: m?.[2] ?? header[0] ?? "", oldPath: null };
  }
  const path = newP ?? oldP ?? "";
  return { path, oldPath: oldP !== null && oldP !== path ? oldP : null };
}

/** Splits a git diff into files and hunks. Tolerates a missing trailing newline. */
export function parseUnifiedDiff(patch: string): DiffFile[] {
  const lines = patch.split("\n");
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  const files: DiffFile[] = [];
  let i = 0;
  while (i < lines.length) {
    if (!(lines[i] as string).startsWith("diff --git ")) {
      i++;
      continue;
    }
    const header: string[] = [lines[i++] as string];
    while (
      i < lines.length &&
      !(lines[i] as string).startsWith("@@ ") &&
      !(lines[i] as string).startsWith("diff --git ")
    )
      header.push(lines[i++] as string);
    const hunks: DiffHunk[] = [];
    while (i < lines.length && (lines[i] as string).startsWith("@@ ")) {
      const m = HUNK_RE.exec(lines[i] as string);
      if (!m) break;
      i++;
      const hunk: DiffHunk = {
        oldStart: Number(m[1]),
        oldCount: m[2] === undefined ? 1 : Number(m[2]),
        newStart: Number(m[3]),
        newCount: m[4] === undefined ? 1 : Number(m[4]),
        section: m[5] ?? "",
        raw: [],
        lines: [],
        additions: 0,
        deletions: 0,
      };
      let oldNo = hunk.oldStart;
      let newNo = hunk.newStart;
      let oldLeft = hunk.oldCount;
      let newLeft = hunk.newCount;
      // Counts, not prefixes, end a hunk: a removed line may itself start with "--- ".
      while (i < lines.length && (oldLeft > 0 || newLeft > 0 || (lines[i] as string).startsWith("\\"))) {
        const l = lines[i] as string;
        const c = l[0];
        if (c === "+") {
          hunk.lines.push({ kind: "add", text: l.slice(1), oldNo: null, newNo: newNo++ });
          hunk.additions++;
          newLeft--;
        } else if (c === "-") {
          hunk.lines.push({ kind: "del", text: l.slice(1), oldNo: oldNo++, newNo: null });
          hunk.deletions++;
          oldLeft--;
        } else if (c === "\\") {
          hunk.lines.push({ kind: "meta", text: l, oldNo: null, newNo: null });
        } else if (c === " " || l === "") {
          hunk.lines.push({ kind: "context", text: l.slice(1), oldNo: oldNo++, newNo: newNo++ });
          oldLeft--;
          newLeft--;
        } else break;
        hunk.raw.push(l);
        i++;
      }
      hunks.push(hunk);
    }
    const { path, oldPath } = pathsOf(header);
    files.push({
      path,
      oldPath,
      header,
      hunks,
      isNew: header.some((l) => l.startsWith("new file mode") || l === "--- /dev/null"),
      isDeleted: header.some((l) => l.startsWith("deleted file mode") || l === "+++ /dev/null"),
      binary: header.some((l) => l === "GIT binary patch" || (l.startsWith("Binary files ") && l.endsWith(" differ"))),
    });
  }
  return files;
}
