import type { AgentSandbox } from "../agent-sandbox.ts";
import { toWorkspacePath } from "../workspace-path.ts";
import { applyChunks } from "./apply-chunks.ts";
import { parsePatch } from "./parse-patch.ts";
import { PatchError } from "./patch-error.ts";
import type { PatchHunk } from "./patch-types.ts";

export type ApplyPatchResult =
  | { ok: true; output: string; added: string[]; modified: string[]; deleted: string[]; files: string[] }
  | { ok: false; output: string };

/** A file's planned state: new content (with its executable bit) or deletion. */
type Planned = { content: string; executable: boolean } | null;

/**
 * Parses and applies a patch all-or-nothing: every new file content is computed first, and
 * only then written. A failed write rolls back the files already written.
 */
export async function applyPatch(sandbox: AgentSandbox, patchText: string): Promise<ApplyPatchResult> {
  let plan: Map<string, Planned>;
  let summary: { added: string[]; modified: string[]; deleted: string[] };
  try {
    const parsed = parsePatch(patchText);
    ({ plan, summary } = await computeChanges(sandbox, parsed.hunks));
  } catch (err) {
    if (err instanceof PatchError)
      return { ok: false, output: `apply_patch failed; no file was changed.\n${err.message}` };
    throw err;
  }
  if (sandbox.readOnly)
    return { ok: false, output: "apply_patch failed: the workspace is read-only in this mode; no file was changed." };

  const originals = new Map<string, Buffer | null>();
  try {
    for (const [path, planned] of plan) {
      originals.set(path, await sandbox.readFile(path));
      if (planned === null) await sandbox.deleteFile(path);
      else await sandbox.writeFile(path, planned.content, { executable: planned.executable });
    }
  } catch (err) {
    await rollback(sandbox, originals);
    const msg = err instanceof Error ? err.message : String(err);
    return { ok: false, output: `apply_patch failed while writing; the files were restored. ${msg}` };
  }
  const lines = [
    ...summary.added.map((p) => `A ${p}`),
    ...summary.modified.map((p) => `M ${p}`),
    ...summary.deleted.map((p) => `D ${p}`),
  ];
  return {
    ok: true,
    output: `Success. Updated the following files:\n${lines.join("\n")}`,
    ...summary,
    files: [...plan.keys()],
  };
}

async function computeChanges(
  sandbox: AgentSandbox,
  hunks: readonly PatchHunk[],
): Promise<{ plan: Map<string, Planned>; summary: { added: string[]; modified: string[]; deleted: string[] } }> {
  const plan = new Map<string, Planned>();
  const added: string[] = [];
  const modified: string[] = [];
  const deleted: string[] = [];
  const note = (list: string[], p: string): void => {
    for (const l of [added, modified, deleted]) {
      const i = l.indexOf(p);
      if (i >= 0) l.splice(i, 1);
    }
    list.push(p);
  };

  // Reads see earlier hunks' results, so several hunks may touch one file.
  const current = async (path: string): Promise<{ content: string; executable: boolean } | null | "dir"> => {
    if (plan.has(path)) return plan.get(path) ?? null;
    const st = await sandbox.stat(path);
    if (!st) return null;
    if (st.type === "dir") return "dir";
    const buf = await sandbox.readFile(path);
    return buf === null ? null : { content: buf.toString("utf8"), executable: st.executable };
  };

  for (const [n, hunk] of hunks.entries()) {
    const header = hunk.type === "add" ? "Add File" : hunk.type === "delete" ? "Delete File" : "Update File";
    const label = `Hunk ${n + 1} (*** ${header}: ${hunk.path})`;
    const path = resolve(hunk.path, label);
    if (hunk.type === "add") {
      const existing = await current(path);
      if (existing === "dir")
        throw new PatchError(`${label}: ${path} is a directory; it cannot be replaced by a file.`);
      plan.set(path, { content: hunk.contents, executable: existing?.executable ?? false });
      note(added, path);
      continue;
    }
    const existing = await current(path);
    if (existing === "dir")
      throw new PatchError(
        `${label}: ${path} is a directory; only files can be ${hunk.type === "delete" ? "deleted" : "updated"}.`,
      );
    if (existing === null) {
      throw new PatchError(
        `${label}: ${path} does not exist. Check the path (list files with the shell tool)${hunk.type === "update" ? ", or create it with '*** Add File:'" : ""}.`,
      );
    }
    if (hunk.type === "delete") {
      plan.set(path, null);
      note(deleted, path);
      continue;
    }
    const content = hunk.chunks.length > 0 ? applyChunks(existing.content, hunk.chunks, label) : existing.content;
    if (hunk.moveTo !== null) {
      const dest = resolve(hunk.moveTo, `${label}, *** Move to`);
      const destExisting = await current(dest);
      if (destExisting === "dir") throw new PatchError(`${label}: cannot move to ${dest}: it is a directory.`);
      if (dest !== path) {
        plan.set(path, null);
        note(deleted, path);
        // A moved file reports once, as modified at its new path.
        deleted.splice(deleted.indexOf(path), 1);
      }
      plan.set(dest, { content, executable: existing.executable });
      note(modified, dest);
    } else {
      plan.set(path, { content, executable: existing.executable });
      if (!added.includes(path)) note(modified, path);
    }
  }
  return { plan, summary: { added, modified, deleted } };
}

function resolve(raw: string, label: string): string {
  const r = toWorkspacePath(raw);
  if (!r.ok) throw new PatchError(`${label}: ${r.error}.`);
  if (r.path === ".") throw new PatchError(`${label}: '${raw}' is the workspace root, not a file.`);
  return r.path;
}

async function rollback(sandbox: AgentSandbox, originals: Map<string, Buffer | null>): Promise<void> {
  for (const [path, buf] of originals) {
    try {
      if (buf === null) await sandbox.deleteFile(path);
      else await sandbox.writeFile(path, buf);
    } catch {
      // Best effort: the checkpoint of the previous step still has the file.
    }
  }
}
