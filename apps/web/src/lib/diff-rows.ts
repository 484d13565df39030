import type { DiffFile, DiffLine } from "./unified-diff.ts";

export type DiffRow =
  | { t: "file"; fi: number }
  | { t: "hunk"; fi: number; hi: number }
  | { t: "line"; fi: number; hi: number; line: DiffLine }
  | { t: "split"; fi: number; hi: number; left: DiffLine | null; right: DiffLine | null }
  | { t: "note"; fi: number; text: string };

export const ROW_HEIGHT: Record<DiffRow["t"], number> = { file: 44, hunk: 34, line: 20, split: 20, note: 28 };

/** Pairs a hunk's lines for the split view: context beside context, each removed run beside the added run after it. */
function splitPairs(lines: DiffLine[]): { left: DiffLine | null; right: DiffLine | null }[] {
  const out: { left: DiffLine | null; right: DiffLine | null }[] = [];
  let i = 0;
  while (i < lines.length) {
    const l = lines[i] as DiffLine;
    if (l.kind === "del" || l.kind === "add") {
      const dels: DiffLine[] = [];
      const adds: DiffLine[] = [];
      while (i < lines.length && (lines[i] as DiffLine).kind === "del") dels.push(lines[i++] as DiffLine);
      while (i < lines.length && ((lines[i] as DiffLine).kind === "add" || (lines[i] as DiffLine).kind === "meta")) {
        const x = lines[i++] as DiffLine;
        if (x.kind === "add") adds.push(x);
      }
      for (let k = 0; k < Math.max(dels.length, adds.length); k++)
        out.push({ left: dels[k] ?? null, right: adds[k] ?? null });
      continue;
    }
    if (l.kind === "context") out.push({ left: l, right: l });
    i++;
  }
  return out;
}

/** Flattens files into fixed-height rows for the virtualized diff; `fileRow[fi]` is each file's first row. */
export function buildRows(
  files: readonly DiffFile[],
  split: boolean,
  collapsed: ReadonlySet<number>,
): { rows: DiffRow[]; fileRow: number[] } {
  const rows: DiffRow[] = [];
  const fileRow: number[] = [];
  files.forEach((f, fi) => {
    fileRow[fi] = rows.length;
    rows.push({ t: "file", fi });
    if (collapsed.has(fi)) return;
    if (f.binary) rows.push({ t: "note", fi, text: "Binary file: not shown" });
    else if (f.hunks.length === 0)
      rows.push({
        t: "note",
        fi,
        text: f.oldPath ? `Renamed from ${f.oldPath}, content unchanged` : "Mode or metadata change only",
      });
    f.hunks.forEach((h, hi) => {
      rows.push({ t: "hunk", fi, hi });
      if (split) for (const p of splitPairs(h.lines)) rows.push({ t: "split", fi, hi, ...p });
      else for (const line of h.lines) rows.push({ t: "line", fi, hi, line });
    });
  });
  return { rows, fileRow };
}
