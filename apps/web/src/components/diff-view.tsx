import { useCallback, useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { AttemptDiff } from "../lib/use-attempt-diff.ts";
import { buildRows, ROW_HEIGHT } from "../lib/diff-rows.ts";
import { buildPatch, countHunks, fileKey, isAtomic, isHunkAccepted, type HunkSelection } from "../lib/build-patch.ts";
import { DiffFileTree } from "./diff-file-tree.tsx";
import { DiffRowView } from "./diff-row-view.tsx";
import { PatchExport } from "./patch-export.tsx";

function usePersistentMode(): ["unified" | "split", (m: "unified" | "split") => void] {
  const [mode, setMode] = useState<"unified" | "split">(() =>
    localStorage.getItem("cadre.diffMode") === "split" ? "split" : "unified",
  );
  return [
    mode,
    (m) => {
      localStorage.setItem("cadre.diffMode", m);
      setMode(m);
    },
  ];
}

/** The review surface: file tree, unified or split diff, and per-hunk accept/skip building a patch. */
export function DiffView({
  taskId,
  attemptIndex,
  diff,
  turns,
  turn,
  onTurn,
  selection,
  onSelection,
}: {
  taskId: string;
  attemptIndex: number;
  diff: AttemptDiff;
  turns: number;
  turn: number | null;
  onTurn: (t: number | null) => void;
  /** The skipped hunks (kept by the task page, so Approve delivers the same choice). */
  selection: HunkSelection;
  onSelection: (next: HunkSelection) => void;
}) {
  const [mode, setMode] = usePersistentMode();
  const [collapsed, setCollapsed] = useState<Set<number>>(new Set());
  const [exporting, setExporting] = useState(false);
  const [activeFile, setActiveFile] = useState(0);
  const { files } = diff;
  const { rows, fileRow } = useMemo(() => buildRows(files, mode === "split", collapsed), [files, mode, collapsed]);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: (i) => ROW_HEIGHT[rows[i]?.t ?? "line"],
    overscan: 20,
    onChange: (inst) => {
      const first = inst.getVirtualItems()[0];
      const r = first ? rows[first.index] : undefined;
      if (r && r.fi !== activeFile) setActiveFile(r.fi);
    },
  });
  // Columns of the longest line, tabs at their rendered width (tab-size 4), so no column is clipped.
  const widest = useMemo(() => {
    let w = 20;
    for (const f of files)
      for (const h of f.hunks)
        for (const l of h.lines) w = Math.max(w, Math.min(l.text.length + 3 * (l.text.split("\t").length - 1), 2000));
    return w;
  }, [files]);

  const toggleHunk = useCallback(
    (fi: number, hi: number) => {
      const f = files[fi];
      if (!f) return;
      const next = new Map(selection);
      const key = fileKey(f);
      const skipped = new Set(next.get(key) ?? []);
      const i = isAtomic(f) ? 0 : hi;
      if (skipped.has(i)) skipped.delete(i);
      else skipped.add(i);
      next.set(key, skipped);
      onSelection(next);
    },
    [files, selection, onSelection],
  );
  const toggleCollapse = useCallback((fi: number) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(fi)) next.delete(fi);
      else next.add(fi);
      return next;
    });
  }, []);
  const setAll = (accept: boolean) => {
    if (accept) return onSelection(new Map());
    const next = new Map<string, Set<number>>();
    for (const f of files) next.set(fileKey(f), new Set(isAtomic(f) ? [0] : f.hunks.map((_, i) => i)));
    onSelection(next);
  };
  const counts = useMemo(() => countHunks(files, selection), [files, selection]);
  const wholeFiles = useMemo(() => {
    const out: string[] = [];
    for (const f of files) {
      const n = isAtomic(f) ? 1 : f.hunks.length;
      let acc = 0;
      for (let i = 0; i < n; i++) if (isHunkAccepted(selection, f, i)) acc++;
      if (acc === n) out.push(f.path);
      else if (acc > 0) return null;
    }
    return out;
  }, [files, selection]);
  const patch = useMemo(() => (exporting ? buildPatch(files, selection) : ""), [exporting, files, selection]);

  // A turn's diff is against the previous turn's checkpoint: it does not apply to the base, so no patch is built from it.
  const turnPicker = turns > 1 && (
    <select
      className="input"
      aria-label="Changes shown"
      value={turn ?? ""}
      onChange={(e) => onTurn(e.target.value ? Number(e.target.value) : null)}
    >
      <option value="">All changes</option>
      {Array.from({ length: turns }, (_, i) => (
        <option key={i + 1} value={i + 1}>
          Turn {i + 1} only
        </option>
      ))}
    </select>
  );
  if (diff.error)
    return (
      <p className="alert alert-error" role="alert">
        {diff.error}
      </p>
    );
  if (!diff.loading && files.length === 0)
    return (
      <div className="empty">
        {turnPicker}
        <p>No changes{turn ? ` in turn ${turn}` : " yet"}.</p>
        <p className="muted">The diff appears here once the agent has edited files.</p>
      </div>
    );

  return (
    <div className="diff">
      <div className="diff-toolbar">
        {turnPicker}
        <div className="segmented" role="group" aria-label="Diff layout">
          <button
            className={mode === "unified" ? "on" : ""}
            aria-pressed={mode === "unified"}
            onClick={() => setMode("unified")}
          >
            Unified
          </button>
          <button
            className={mode === "split" ? "on" : ""}
            aria-pressed={mode === "split"}
            onClick={() => setMode("split")}
          >
            Split
          </button>
        </div>
        <span className="muted diff-summary">
          {diff.totalFiles} file{diff.totalFiles === 1 ? "" : "s"} <span className="add">+{diff.additions}</span>{" "}
          <span className="del">−{diff.deletions}</span>
          {diff.loading && (
            <>
              {" "}
              · loading {files.length}/{diff.totalFiles}…
            </>
          )}
        </span>
        <span className="spacer" />
        {turn === null ? (
          <>
            <span className="hunk-count" aria-live="polite">
              {counts.accepted} of {counts.total} hunks accepted
            </span>
            <button className="btn btn-sm" onClick={() => setAll(true)}>
              Accept all
            </button>
            <button className="btn btn-sm" onClick={() => setAll(false)}>
              Skip all
            </button>
            <button
              className="btn btn-sm btn-primary"
              onClick={() => setExporting(true)}
              disabled={counts.accepted === 0}
            >
              Get patch
            </button>
          </>
        ) : (
          <span className="muted small">Turn {turn} against the turn before; pick hunks in “All changes”.</span>
        )}
      </div>
      <div className="diff-body">
        <DiffFileTree
          files={files}
          selection={selection}
          active={activeFile}
          onPick={(fi) => {
            setActiveFile(fi);
            v.scrollToIndex(fileRow[fi] ?? 0, { align: "start" });
          }}
        />
        <div ref={parent} className="diff-rows" role="region" aria-label="Diff" tabIndex={0}>
          <div
            className={`diff-inner diff-${mode}`}
            style={{
              height: v.getTotalSize(),
              // Gutters, signs and padding: two of each per half in split mode, plus the halves' borders.
              minWidth: mode === "split" ? `calc(${widest * 2}ch + 180px)` : `calc(${widest}ch + 150px)`,
            }}
          >
            {v.getVirtualItems().map((vi) => {
              const row = rows[vi.index];
              if (!row) return null;
              const file = files[row.fi];
              if (!file) return null;
              const accepted =
                row.t === "file" || row.t === "note"
                  ? isHunkAccepted(selection, file, 0) ||
                    (!isAtomic(file) && file.hunks.some((_, i) => isHunkAccepted(selection, file, i)))
                  : isHunkAccepted(selection, file, row.hi);
              return (
                <div
                  key={vi.key}
                  className="drow-wrap"
                  style={{ height: vi.size, transform: `translateY(${vi.start}px)` }}
                >
                  <DiffRowView
                    row={row}
                    file={file}
                    accepted={accepted}
                    collapsed={collapsed.has(row.fi)}
                    selectable={turn === null}
                    onToggleHunk={toggleHunk}
                    onToggleCollapse={toggleCollapse}
                  />
                </div>
              );
            })}
          </div>
        </div>
      </div>
      {exporting && (
        <PatchExport
          taskId={taskId}
          attemptIndex={attemptIndex}
          wholeFiles={wholeFiles}
          patch={patch}
          accepted={counts.accepted}
          total={counts.total}
          onClose={() => setExporting(false)}
        />
      )}
    </div>
  );
}
