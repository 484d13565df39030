import { afterEach, describe, expect, it } from "vitest";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import type { ToolContext } from "./agent-tool.ts";
import { editorTool } from "./editor-tool.ts";

let sandboxes: LocalSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
  sandboxes = [];
});
async function setup(files: Record<string, string>, readOnly = false) {
  const sandbox = await LocalSandbox.create(files, { readOnly });
  sandboxes.push(sandbox);
  const ctx: ToolContext = { sandbox, callId: "c", signal: new AbortController().signal, emit: async () => undefined };
  const run = (input: Record<string, unknown>) => editorTool.run(input, ctx);
  const read = async (p: string) => (await sandbox.readFile(p))?.toString("utf8") ?? null;
  return { run, read, sandbox };
}

describe("str_replace_based_edit_tool", () => {
  it("views a file with line numbers and a range", async () => {
    const t = await setup({ "a.txt": "one\ntwo\nthree\n" });
    expect((await t.run({ command: "view", path: "a.txt" })).output).toBe("     1\tone\n     2\ttwo\n     3\tthree");
    expect((await t.run({ command: "view", path: "a.txt", view_range: [2, -1] })).output).toBe(
      "     2\ttwo\n     3\tthree",
    );
    expect((await t.run({ command: "view", path: "/workspace/a.txt", view_range: [2, 2] })).output).toBe("     2\ttwo");
    const bad = await t.run({ command: "view", path: "a.txt", view_range: [9, 10] });
    expect(bad).toMatchObject({ isError: true });
    expect(bad.output).toContain("outside the file's 3 lines");
  });

  it("lists a directory two levels deep, without hidden files", async () => {
    const t = await setup({ "src/a.ts": "", "src/deep/er/x.ts": "", ".git/config": "" });
    const r = await t.run({ command: "view", path: "." });
    expect(r.isError).toBe(false);
    expect(r.output).toContain("./src/a.ts");
    expect(r.output).toContain("./src/deep");
    expect(r.output).not.toContain("x.ts");
    expect(r.output).not.toContain(".git");
  });

  it("creates and overwrites files", async () => {
    const t = await setup({});
    const r = await t.run({ command: "create", path: "new/f.txt", file_text: "hi\n" });
    expect(r).toMatchObject({ isError: false, files: ["new/f.txt"], changedFiles: true, output: "Created new/f.txt." });
    expect(await t.read("new/f.txt")).toBe("hi\n");
    expect((await t.run({ command: "create", path: "new/f.txt", file_text: "bye\n" })).output).toBe(
      "Overwrote new/f.txt.",
    );
  });

  it("replaces a unique string and shows the edited lines", async () => {
    const t = await setup({ "a.py": "def f():\n    return 1\n" });
    const r = await t.run({ command: "str_replace", path: "a.py", old_str: "return 1", new_str: "return 2" });
    expect(r.isError).toBe(false);
    expect(r.output).toContain("     2\t    return 2");
    expect(await t.read("a.py")).toBe("def f():\n    return 2\n");
  });

  it("refuses a non-unique old_str, saying how many matches and where", async () => {
    const t = await setup({ "a.txt": "x = 1\ny\nx = 1\n" });
    const r = await t.run({ command: "str_replace", path: "a.txt", old_str: "x = 1", new_str: "x = 2" });
    expect(r.isError).toBe(true);
    expect(r.output).toContain("occurs 2 times");
    expect(r.output).toContain("lines 1, 3");
    expect(await t.read("a.txt")).toBe("x = 1\ny\nx = 1\n");
  });

  it("reports an old_str that is not found", async () => {
    const t = await setup({ "a.txt": "abc\n" });
    const r = await t.run({ command: "str_replace", path: "a.txt", old_str: "zzz", new_str: "" });
    expect(r).toMatchObject({ isError: true });
    expect(r.output).toContain("not found");
  });

  it("keeps CRLF when the model writes LF", async () => {
    const t = await setup({ "w.txt": "a\r\nb\r\nc\r\n" });
    const r = await t.run({ command: "str_replace", path: "w.txt", old_str: "a\nb", new_str: "A\nB" });
    expect(r.isError).toBe(false);
    expect(await t.read("w.txt")).toBe("A\r\nB\r\nc\r\n");
  });

  it("inserts after a line (0 = top), accepting insert_text or new_str", async () => {
    const t = await setup({ "a.txt": "1\n2\n" });
    await t.run({ command: "insert", path: "a.txt", insert_line: 1, insert_text: "1.5" });
    await t.run({ command: "insert", path: "a.txt", insert_line: 0, new_str: "0" });
    expect(await t.read("a.txt")).toBe("0\n1\n1.5\n2\n");
    const r = await t.run({ command: "insert", path: "a.txt", insert_line: 99, insert_text: "x" });
    expect(r.isError).toBe(true);
    expect(r.output).toContain("past the end");
  });

  it("refuses paths outside the workspace, missing files and writes in read-only mode", async () => {
    const t = await setup({ "a.txt": "a\n" }, true);
    expect((await t.run({ command: "view", path: "/etc/passwd" })).output).toContain("absolute path refused");
    expect((await t.run({ command: "view", path: "../x" })).output).toContain("leaves the workspace");
    expect((await t.run({ command: "view", path: "nope.txt" })).output).toContain("does not exist");
    expect((await t.run({ command: "create", path: "b.txt", file_text: "" })).output).toContain("read-only");
  });

  it("explains invalid input", async () => {
    const t = await setup({});
    const r = await t.run({ command: "undo_edit", path: "a" });
    expect(r.isError).toBe(true);
    expect(r.output).toContain("Invalid input for str_replace_based_edit_tool");
  });
});
