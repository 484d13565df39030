import type { AgentSandbox } from "../agent-sandbox.ts";
import { toWorkspacePath } from "../workspace-path.ts";

export const AGENTS_MD_BUDGET_BYTES = 32 * 1024;

export interface AgentsMdResult {
  /** The instructions, root first, each file under a header naming it; "" when there are none. */
  text: string;
  /** Files read, root first. */
  files: string[];
  /** The budget cut some of the instructions. */
  truncated: boolean;
  /** Total size of the files found, in bytes. */
  totalBytes: number;
}

/**
 * Reads AGENTS.md files from the workspace root down to `workdir` (relative to the root).
 * In each folder AGENTS.override.md, when present, takes the place of AGENTS.md. Files are joined
 * root-first (so deeper, more specific instructions come last) within `budgetBytes`.
 */
export async function loadAgentsMd(
  sandbox: AgentSandbox,
  workdir = ".",
  budgetBytes = AGENTS_MD_BUDGET_BYTES,
): Promise<AgentsMdResult> {
  const rel = toWorkspacePath(workdir, { allowWorkspaceAbsolute: true });
  const parts = rel.ok && rel.path !== "." ? rel.path.split("/") : [];
  const dirs = [".", ...parts.map((_, i) => parts.slice(0, i + 1).join("/"))];

  const found: Array<{ path: string; content: string }> = [];
  for (const dir of dirs) {
    for (const name of ["AGENTS.override.md", "AGENTS.md"]) {
      const path = dir === "." ? name : `${dir}/${name}`;
      const st = await sandbox.stat(path);
      if (st?.type !== "file") continue;
      const buf = await sandbox.readFile(path);
      if (buf === null) continue;
      const content = buf.toString("utf8").trim();
      if (content !== "") found.push({ path, content });
      break;
    }
  }

  let text = "";
  let truncated = false;
  let totalBytes = 0;
  const files: string[] = [];
  for (const f of found) {
    totalBytes += Buffer.byteLength(f.content);
    if (truncated) continue;
    const section = `${text === "" ? "" : "\n\n"}## ${f.path}\n\n${f.content}`;
    const room = budgetBytes - Buffer.byteLength(text);
    files.push(f.path);
    if (Buffer.byteLength(section) <= room) {
      text += section;
    } else {
      text += cutToBytes(section, Math.max(0, room));
      truncated = true;
    }
  }
  return { text, files, truncated, totalBytes };
}

function cutToBytes(s: string, bytes: number): string {
  const buf = Buffer.from(s, "utf8").subarray(0, bytes);
  // Drop a partial multi-byte character at the cut.
  return buf.toString("utf8").replace(/\uFFFD$/, "");
}
