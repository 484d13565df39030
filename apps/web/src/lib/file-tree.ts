import type { DiffFile } from "./unified-diff.ts";

export type TreeRow =
  { t: "dir"; path: string; name: string; depth: number } | { t: "file"; fi: number; name: string; depth: number };

interface Dir {
  dirs: Map<string, Dir>;
  files: { fi: number; name: string }[];
}

/**
 * The changed files as a tree, flattened for a virtualized list. Chains of single-child folders
 * are joined ("src/lib/util") as code review tools do, so deep trees stay short.
 */
export function buildTree(files: readonly DiffFile[], collapsedDirs: ReadonlySet<string>): TreeRow[] {
  const root: Dir = { dirs: new Map(), files: [] };
  files.forEach((f, fi) => {
    const parts = f.path.split("/");
    const name = parts.pop() as string;
    let d = root;
    for (const p of parts) {
      let next = d.dirs.get(p);
      if (!next) {
        next = { dirs: new Map(), files: [] };
        d.dirs.set(p, next);
      }
      d = next;
    }
    d.files.push({ fi, name });
  });
  const rows: TreeRow[] = [];
  const walk = (d: Dir, prefix: string, depth: number) => {
    for (const [name, sub] of [...d.dirs.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
      let label = name;
      let node = sub;
      while (node.files.length === 0 && node.dirs.size === 1) {
        const [n, s] = [...node.dirs.entries()][0] as [string, Dir];
        label += `/${n}`;
        node = s;
      }
      const path = prefix + label;
      rows.push({ t: "dir", path, name: label, depth });
      if (!collapsedDirs.has(path)) walk(node, `${path}/`, depth + 1);
    }
    for (const f of d.files.sort((a, b) => a.name.localeCompare(b.name)))
      rows.push({ t: "file", fi: f.fi, name: f.name, depth });
  };
  walk(root, "", 0);
  return rows;
}
