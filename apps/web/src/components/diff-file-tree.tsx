import { useMemo, useRef, useState } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import type { DiffFile } from "../lib/unified-diff.ts";
import { buildTree } from "../lib/file-tree.ts";
import { isHunkAccepted, type HunkSelection } from "../lib/build-patch.ts";

function partlySkipped(f: DiffFile, sel: HunkSelection): "all" | "some" | "none" {
  const n = Math.max(1, f.hunks.length);
  let acc = 0;
  for (let i = 0; i < n; i++) if (isHunkAccepted(sel, f, i)) acc++;
  return acc === n ? "all" : acc === 0 ? "none" : "some";
}

/** Changed files as a collapsible tree with +/− per file; a click scrolls the diff to the file. */
export function DiffFileTree({
  files,
  selection,
  active,
  onPick,
}: {
  files: DiffFile[];
  selection: HunkSelection;
  active: number;
  onPick: (fi: number) => void;
}) {
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const rows = useMemo(() => buildTree(files, collapsed), [files, collapsed]);
  const parent = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: rows.length,
    getScrollElement: () => parent.current,
    estimateSize: () => 26,
    overscan: 12,
  });
  return (
    <nav ref={parent} className="tree" aria-label="Changed files">
      <div style={{ height: v.getTotalSize(), position: "relative" }}>
        {v.getVirtualItems().map((vi) => {
          const r = rows[vi.index];
          if (!r) return null;
          const style = { transform: `translateY(${vi.start}px)`, paddingLeft: 8 + r.depth * 14 };
          if (r.t === "dir") {
            const open = !collapsed.has(r.path);
            return (
              <button
                key={vi.key}
                className="tree-row tree-dir"
                style={style}
                aria-expanded={open}
                onClick={() => {
                  const next = new Set(collapsed);
                  if (open) next.add(r.path);
                  else next.delete(r.path);
                  setCollapsed(next);
                }}
              >
                <span aria-hidden>{open ? "▾" : "▸"}</span> {r.name}
              </button>
            );
          }
          const f = files[r.fi] as DiffFile;
          const adds = f.hunks.reduce((s, h) => s + h.additions, 0);
          const dels = f.hunks.reduce((s, h) => s + h.deletions, 0);
          const state = partlySkipped(f, selection);
          return (
            <button
              key={vi.key}
              className={`tree-row tree-file${active === r.fi ? " active" : ""}`}
              style={style}
              onClick={() => onPick(r.fi)}
              title={f.path}
              aria-label={`${f.path}: ${adds} added, ${dels} removed${state === "none" ? ", skipped" : state === "some" ? ", partly accepted" : ""}`}
            >
              <span className={`fdot fdot-${f.isNew ? "new" : f.isDeleted ? "del" : "mod"}`} aria-hidden />
              <span className={`tree-name${state === "none" ? " skipped" : ""}`}>{r.name}</span>
              <span className="tree-stats">
                <span className="add">+{adds}</span> <span className="del">−{dels}</span>
              </span>
            </button>
          );
        })}
      </div>
    </nav>
  );
}
