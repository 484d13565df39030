import { z } from "zod";
import type { AgentSandbox } from "../agent-sandbox.ts";
import { toWorkspacePath } from "../workspace-path.ts";
import type { AgentTool, ToolResult } from "./agent-tool.ts";
import { toolError } from "./agent-tool.ts";
import { parseToolInput } from "./parse-tool-input.ts";

export const EDITOR_TOOL_NAME = "str_replace_based_edit_tool";
/** A whole-file view longer than this is cut; the model asks for ranges instead. */
const VIEW_MAX_LINES = 2000;
const SNIPPET_CONTEXT = 3;

const EditorInput = z.discriminatedUnion("command", [
  z.object({
    command: z.literal("view"),
    path: z.string(),
    view_range: z.tuple([z.number().int(), z.number().int()]).nullish(),
  }),
  z.object({ command: z.literal("create"), path: z.string(), file_text: z.string() }),
  z.object({
    command: z.literal("str_replace"),
    path: z.string(),
    old_str: z.string().min(1),
    new_str: z.string().nullish(),
  }),
  z.object({
    command: z.literal("insert"),
    path: z.string(),
    insert_line: z.number().int().min(0),
    // Anthropic's schema names the text `insert_text` in recent versions and `new_str` in older ones.
    insert_text: z.string().nullish(),
    new_str: z.string().nullish(),
  }),
]);

/** The string-replace editor Anthropic-family models are trained on. */
export const editorTool: AgentTool = {
  spec: {
    kind: "function",
    name: EDITOR_TOOL_NAME,
    description:
      "View and edit files. Commands: view (a file with line numbers, optional view_range [start, end] with end -1 for the end; " +
      "a directory lists files two levels deep), create (write file_text to a new or existing file), " +
      "str_replace (replace old_str, which must occur exactly once, by new_str), insert (insert text after line insert_line; 0 = top). " +
      "Paths are relative to the workspace root (or absolute under /workspace).",
    parameters: {
      type: "object",
      properties: {
        command: { type: "string", enum: ["view", "create", "str_replace", "insert"] },
        path: { type: "string" },
        view_range: { type: "array", items: { type: "integer" }, minItems: 2, maxItems: 2 },
        file_text: { type: "string" },
        old_str: { type: "string" },
        new_str: { type: "string" },
        insert_line: { type: "integer" },
        insert_text: { type: "string" },
      },
      required: ["command", "path"],
      additionalProperties: false,
    },
  },
  async run(input, ctx) {
    const parsed = parseToolInput(EDITOR_TOOL_NAME, EditorInput, input);
    if (!parsed.ok) return toolError(parsed.error);
    const cmd = parsed.value;
    const p = toWorkspacePath(cmd.path, { allowWorkspaceAbsolute: true });
    if (!p.ok) return toolError(`${cmd.command}: ${p.error}.`);
    const path = p.path;
    const sandbox = ctx.sandbox;
    if (cmd.command !== "view" && sandbox.readOnly)
      return toolError(`${cmd.command}: the workspace is read-only in this mode; files cannot be changed.`);
    switch (cmd.command) {
      case "view":
        return view(sandbox, path, cmd.view_range ?? null, ctx.signal);
      case "create": {
        const st = await sandbox.stat(path);
        if (st?.type === "dir") return toolError(`create: ${path} is a directory. Give a file path.`);
        await sandbox.writeFile(path, cmd.file_text, st?.executable ? { executable: true } : undefined);
        return edited(`${st ? "Overwrote" : "Created"} ${path}.`, path);
      }
      case "str_replace":
        return strReplace(sandbox, path, cmd.old_str, cmd.new_str ?? "");
      case "insert":
        return insert(sandbox, path, cmd.insert_line, cmd.insert_text ?? cmd.new_str ?? "");
    }
  },
};

async function readText(
  sandbox: AgentSandbox,
  path: string,
  command: string,
): Promise<{ ok: true; text: string; executable: boolean } | { ok: false; result: ToolResult }> {
  const st = await sandbox.stat(path);
  if (!st)
    return {
      ok: false,
      result: toolError(
        `${command}: ${path} does not exist. Check the path (view the parent directory)${command === "view" ? "" : ", or use create"}.`,
      ),
    };
  if (st.type === "dir") return { ok: false, result: toolError(`${command}: ${path} is a directory.`) };
  const buf = await sandbox.readFile(path);
  if (buf === null) return { ok: false, result: toolError(`${command}: ${path} does not exist.`) };
  return { ok: true, text: buf.toString("utf8"), executable: st.executable };
}

async function view(
  sandbox: AgentSandbox,
  path: string,
  range: [number, number] | null,
  signal: AbortSignal,
): Promise<ToolResult> {
  const st = await sandbox.stat(path);
  if (st?.type === "dir") {
    const q = `'${path.replace(/'/g, `'\\''`)}'`;
    const r = await sandbox.exec(
      `find ${q} -maxdepth 2 -not -path '*/.*' -not -path '*/node_modules/*' | sort | head -n 500`,
      { signal, timeoutMs: 30_000 },
    );
    if (r.exitCode !== 0) return toolError(`view: could not list ${path}: ${r.output.trim()}`);
    return {
      output: `Files and directories up to 2 levels deep in ${path} (hidden and node_modules excluded):\n${r.output.trimEnd()}`,
      isError: false,
    };
  }
  const read = await readText(sandbox, path, "view");
  if (!read.ok) return read.result;
  const lines = splitLines(read.text);
  let start = 1;
  let end = lines.length;
  if (range) {
    const [s, e] = range;
    if (s < 1 || s > Math.max(lines.length, 1))
      return toolError(`view: view_range start ${s} is outside the file's ${lines.length} lines (1-${lines.length}).`);
    if (e !== -1 && e < s)
      return toolError(`view: view_range end ${e} is before its start ${s}. Use -1 for the end of the file.`);
    start = s;
    end = e === -1 ? lines.length : Math.min(e, lines.length);
  }
  let note = "";
  if (end - start + 1 > VIEW_MAX_LINES) {
    note = `\n[... ${end - start + 1 - VIEW_MAX_LINES} more lines (file has ${lines.length}); view the rest with view_range ...]`;
    end = start + VIEW_MAX_LINES - 1;
  }
  if (lines.length === 0) return { output: `${path} is empty.`, isError: false };
  return { output: numbered(lines.slice(start - 1, end), start) + note, isError: false };
}

async function strReplace(sandbox: AgentSandbox, path: string, oldStr: string, newStr: string): Promise<ToolResult> {
  const read = await readText(sandbox, path, "str_replace");
  if (!read.ok) return read.result;
  let { text } = read;
  let oldS = oldStr;
  let newS = newStr;
  if (countOf(text, oldS) === 0 && text.includes("\r\n") && !oldS.includes("\r\n")) {
    // The model writes \n; a CRLF file keeps CRLF.
    oldS = oldS.replace(/\n/g, "\r\n");
    newS = newS.replace(/\n/g, "\r\n");
  }
  const positions = indicesOf(text, oldS);
  if (positions.length === 0) {
    return toolError(
      `str_replace: old_str was not found in ${path}. It must match the file exactly, including whitespace and indentation; view the file and retry.`,
    );
  }
  if (positions.length > 1) {
    const lineNos = positions.map((i) => lineOf(text, i)).join(", ");
    return toolError(
      `str_replace: old_str occurs ${positions.length} times in ${path} (at lines ${lineNos}); it must be unique. Include more surrounding lines.`,
    );
  }
  const at = positions[0] ?? 0;
  text = text.slice(0, at) + newS + text.slice(at + oldS.length);
  await sandbox.writeFile(path, text, read.executable ? { executable: true } : undefined);
  const first = lineOf(text, at);
  const last = first + splitLines(newS).length - 1;
  return edited(
    `Edited ${path}. Lines ${first}-${Math.max(first, last)} now read (with context):\n${snippet(text, first, last)}`,
    path,
  );
}

async function insert(sandbox: AgentSandbox, path: string, after: number, insertText: string): Promise<ToolResult> {
  const read = await readText(sandbox, path, "insert");
  if (!read.ok) return read.result;
  const eol = read.text.includes("\r\n") ? "\r\n" : "\n";
  const lines = splitLines(read.text);
  if (after > lines.length)
    return toolError(
      `insert: insert_line ${after} is past the end of ${path}, which has ${lines.length} lines (use 0-${lines.length}).`,
    );
  const added = splitLines(insertText.replace(/\r\n/g, "\n"));
  lines.splice(after, 0, ...added);
  const text = lines.join(eol) + (lines.length > 0 ? eol : "");
  await sandbox.writeFile(path, text, read.executable ? { executable: true } : undefined);
  return edited(
    `Inserted ${added.length} line(s) after line ${after} of ${path}:\n${snippet(text, after + 1, after + added.length)}`,
    path,
  );
}

function edited(output: string, path: string): ToolResult {
  return { output, isError: false, files: [path], changedFiles: true };
}

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function numbered(lines: string[], firstLineNo: number): string {
  return lines.map((l, i) => `${String(firstLineNo + i).padStart(6)}\t${l}`).join("\n");
}

function snippet(text: string, first: number, last: number): string {
  const lines = splitLines(text);
  const from = Math.max(1, first - SNIPPET_CONTEXT);
  const to = Math.min(lines.length, last + SNIPPET_CONTEXT);
  return numbered(lines.slice(from - 1, to), from);
}

function indicesOf(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) out.push(i);
  return out;
}

function countOf(text: string, needle: string): number {
  return indicesOf(text, needle).length;
}

function lineOf(text: string, index: number): number {
  let n = 1;
  for (let i = text.indexOf("\n"); i >= 0 && i < index; i = text.indexOf("\n", i + 1)) n++;
  return n;
}
