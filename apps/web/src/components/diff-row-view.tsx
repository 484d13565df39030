import { memo } from "react";
import type { DiffRow } from "../lib/diff-rows.ts";
import type { DiffFile, DiffLine } from "../lib/unified-diff.ts";
import { highlightLine, languageOf } from "../lib/highlight.ts";

const SIGN: Record<DiffLine["kind"], string> = { add: "+", del: "-", context: " ", meta: "" };

function Code({ line, lang }: { line: DiffLine; lang: string | null }) {
  if (line.kind === "meta") return <span className="code meta">{line.text}</span>;
  return <span className="code" dangerouslySetInnerHTML={{ __html: highlightLine(line.text, lang) }} />;
}

function Half({ line, lang, side }: { line: DiffLine | null; lang: string | null; side: "old" | "new" }) {
  if (!line) return <div className="half half-empty" />;
  const no = side === "old" ? line.oldNo : line.newNo;
  return (
    <div className={`half ln-${line.kind}`}>
      <span className="gutter">{no ?? ""}</span>
      <span className="sign">{SIGN[line.kind]}</span>
      <Code line={line} lang={lang} />
    </div>
  );
}

export interface RowProps {
  row: DiffRow;
  file: DiffFile;
  accepted: boolean;
  collapsed: boolean;
  /** Off for a single turn's diff, which cannot become a patch against the base. */
  selectable: boolean;
  onToggleHunk: (fi: number, hi: number) => void;
  onToggleCollapse: (fi: number) => void;
}

/** One fixed-height row of the virtualized diff. */
export const DiffRowView = memo(function DiffRowView({
  row,
  file,
  accepted,
  collapsed,
  selectable,
  onToggleHunk,
  onToggleCollapse,
}: RowProps) {
  const lang = languageOf(file.path);
  switch (row.t) {
    case "file": {
      const adds = file.hunks.reduce((s, h) => s + h.additions, 0);
      const dels = file.hunks.reduce((s, h) => s + h.deletions, 0);
      const atomic = file.isNew || file.isDeleted || file.binary || file.hunks.length === 0;
      return (
        <div className={`drow drow-file${accepted ? "" : " skipped"}`}>
          <button
            className="btn-icon btn-ghost"
            aria-expanded={!collapsed}
            aria-label={`${collapsed ? "Expand" : "Collapse"} ${file.path}`}
            onClick={() => onToggleCollapse(row.fi)}
          >
            {collapsed ? "▸" : "▾"}
          </button>
          <span className="dfile-path" title={file.path}>
            {file.oldPath ? <>{file.oldPath} → </> : null}
            {file.path}
          </span>
          {file.isNew && <span className="pill pill-new">new</span>}
          {file.isDeleted && <span className="pill pill-del">deleted</span>}
          <span className="add">+{adds}</span>
          <span className="del">−{dels}</span>
          {atomic && selectable && (
            <label className="hunk-toggle">
              <input
                type="checkbox"
                checked={accepted}
                onChange={() => onToggleHunk(row.fi, 0)}
                aria-label={`Accept ${file.path}`}
              />{" "}
              {accepted ? "Accepted" : "Skipped"}
            </label>
          )}
        </div>
      );
    }
    case "hunk": {
      const h = file.hunks[row.hi];
      if (!h) return null;
      const atomic = file.isNew || file.isDeleted || file.binary;
      return (
        <div className={`drow drow-hunk${accepted ? "" : " skipped"}`} data-hunk={`${file.path}#${row.hi + 1}`}>
          <code className="hunk-head">
            @@ -{h.oldStart},{h.oldCount} +{h.newStart},{h.newCount} @@ {h.section}
          </code>
          {!atomic && selectable && (
            <label className="hunk-toggle">
              <input
                type="checkbox"
                checked={accepted}
                onChange={() => onToggleHunk(row.fi, row.hi)}
                aria-label={`Accept hunk ${row.hi + 1} in ${file.path}`}
              />{" "}
              {accepted ? "Accepted" : "Skipped"}
            </label>
          )}
        </div>
      );
    }
    case "line":
      return (
        <div className={`drow drow-line ln-${row.line.kind}${accepted ? "" : " skipped"}`}>
          <span className="gutter">{row.line.oldNo ?? ""}</span>
          <span className="gutter">{row.line.newNo ?? ""}</span>
          <span className="sign">{SIGN[row.line.kind]}</span>
          <Code line={row.line} lang={lang} />
        </div>
      );
    case "split":
      return (
        <div className={`drow drow-split${accepted ? "" : " skipped"}`}>
          <Half line={row.left} lang={lang} side="old" />
          <Half line={row.right} lang={lang} side="new" />
        </div>
      );
    case "note":
      return <div className="drow drow-note muted">{row.text}</div>;
  }
});
