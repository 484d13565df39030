import { posix } from "node:path";

/** The workspace root as seen from inside the sandbox; models often write paths under it. */
export const WORKSPACE_ROOT = "/workspace";

export type WorkspacePathResult = { ok: true; path: string } | { ok: false; error: string };

/**
 * Normalizes a model-supplied path to one relative to the workspace root.
 * `allowWorkspaceAbsolute` accepts `/workspace/...` (the editor tool's models write absolute paths);
 * apply_patch refuses every absolute path, as its format requires.
 */
export function toWorkspacePath(raw: string, opts: { allowWorkspaceAbsolute?: boolean } = {}): WorkspacePathResult {
  let p = raw.trim().replace(/\\/g, "/");
  if (p === "")
    return { ok: false, error: "empty path: give a path relative to the workspace root, e.g. src/index.ts" };
  if (opts.allowWorkspaceAbsolute && (p === WORKSPACE_ROOT || p.startsWith(`${WORKSPACE_ROOT}/`))) {
    p = p.slice(WORKSPACE_ROOT.length).replace(/^\/+/, "") || ".";
  }
  if (p.startsWith("/") || /^[A-Za-z]:\//.test(p)) {
    return {
      ok: false,
      error: `absolute path refused: ${raw}. Use a path relative to the workspace root, e.g. src/index.ts`,
    };
  }
  const normalized = posix.normalize(p).replace(/\/+$/, "");
  if (normalized === ".." || normalized.startsWith("../")) {
    return { ok: false, error: `path leaves the workspace: ${raw}. Use a path inside the workspace root` };
  }
  return { ok: true, path: normalized === "" ? "." : normalized };
}
