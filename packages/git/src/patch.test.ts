import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CadreError } from "@cadre/protocol";
import { formatPatch, parsePatch, selectPatch, unquotePath } from "./patch.ts";
import { runGit } from "./run-git.ts";
import { git, makeRepo, writeFiles } from "./test-support.ts";

const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`);

async function twoHunkRepo() {
  const base = lines(30);
  const repo = await makeRepo({ "f.txt": base.join("\n") + "\n", "other.txt": "o\n" });
  const edited = [...base];
  edited.splice(2, 1, "first A", "first B"); // hunk 0: replaces line 3 with two lines
  edited[25] = "second"; // hunk 1: changes line 25 (index shifted by one)
  await writeFiles(repo.dir, { "f.txt": edited.join("\n") + "\n", "other.txt": "O\n" });
  const patch = await git(repo.dir, "diff", "--full-index");
  await git(repo.dir, "checkout", "-q", "--", ".");
  return { repo, base, patch: `${patch}\n` };
}

describe("parsePatch", () => {
  it("parses files, hunks, ranges and round-trips", async () => {
    const { patch } = await twoHunkRepo();
    const files = parsePatch(patch);
    expect(files.map((f) => f.newPath)).toEqual(["f.txt", "other.txt"]);
    const f = files[0]!;
    expect(f).toMatchObject({
      oldPath: "f.txt",
      newPath: "f.txt",
      status: "modified",
      binary: false,
      modeChange: null,
    });
    expect(f.header[0]).toBe("diff --git a/f.txt b/f.txt");
    expect(f.hunks).toHaveLength(2);
    expect(f.hunks[0]).toMatchObject({ oldStart: 1, oldLines: 6, newStart: 1, newLines: 7 });
    expect(f.hunks[1]!.lines).toContain("+second");
    expect(formatPatch(files)).toBe(patch);
  });

  it("parses renames, binaries, deletions, new files, mode changes and quoted paths", async () => {
    const long = lines(30).join("\n") + "\n";
    const repo = await makeRepo({
      "old.txt": long,
      "bin.dat": Buffer.from([0, 1, 2]),
      "gone.txt": "x\n",
      "s.sh": "echo\n",
      "tab\there.txt": "t\n",
    });
    await writeFiles(repo.dir, {
      "old.txt": null,
      "new.txt": long.replace("line 2\n", "line two\n"),
      "bin.dat": Buffer.from([0, 1, 2, 3]),
      "gone.txt": null,
      "s.sh": { content: "echo\n", mode: "exec" },
      "tab\there.txt": "T\n",
      "añadido.txt": "new\n",
    });
    await git(repo.dir, "add", "-A");
    const patch = `${await git(repo.dir, "diff", "--cached", "-M", "--binary", "--full-index")}\n`;
    const files = parsePatch(patch);
    const by = Object.fromEntries(files.map((f) => [f.newPath ?? f.oldPath, f]));
    expect(by["new.txt"]).toMatchObject({
      status: "renamed",
      oldPath: "old.txt",
      newPath: "new.txt",
      similarity: expect.any(Number),
    });
    expect(by["new.txt"]!.hunks).toHaveLength(1);
    expect(by["bin.dat"]).toMatchObject({ binary: true, status: "modified" });
    expect(by["bin.dat"]!.binaryLines[0]).toBe("GIT binary patch");
    expect(by["gone.txt"]).toMatchObject({ status: "deleted", newPath: null, oldPath: "gone.txt" });
    expect(by["s.sh"]).toMatchObject({ modeChange: { oldMode: "100644", newMode: "100755" }, hunks: [] });
    expect(by["tab\there.txt"]).toMatchObject({ status: "modified" });
    expect(by["añadido.txt"]).toMatchObject({ status: "added", oldPath: null, newMode: "100644" });
    expect(formatPatch(files)).toBe(patch);
  });

  it("keeps CRLF lines and missing final newlines through parse, select and apply", async () => {
    const base = Array.from({ length: 20 }, (_, i) => `row ${i}\r`).join("\n");
    const repo = await makeRepo({ "w.txt": base });
    const edited = base.replace("row 1\r", "ROW 1\r").replace("row 19\r", "ROW 19");
    await writeFiles(repo.dir, { "w.txt": edited });
    const patch = `${await git(repo.dir, "diff")}\n`;
    expect(patch).toContain("\\ No newline at end of file");
    const files = parsePatch(patch);
    expect(files[0]!.hunks).toHaveLength(2);
    expect(formatPatch(files)).toBe(patch);
    await git(repo.dir, "checkout", "-q", "--", ".");
    await runGit(["apply"], { cwd: repo.dir, input: selectPatch(files, { hunks: [{ path: "w.txt", index: 1 }] }) });
    expect(await readFile(join(repo.dir, "w.txt"), "utf8")).toBe(base.replace("row 19\r", "ROW 19"));
  });

  it("unquotes C-style paths", () => {
    expect(unquotePath('"a\\tb\\303\\251\\"q\\\\"')).toBe('a\tbé"q\\');
    expect(unquotePath("plain")).toBe("plain");
  });

  it("rejects a truncated hunk", () => {
    expect(() => parsePatch("diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n")).toThrow(CadreError);
  });
});

describe("selectPatch", () => {
  it("selects one of two hunks; applying it gives exactly that change", async () => {
    const { repo, base, patch } = await twoHunkRepo();
    const files = parsePatch(patch);
    const second = selectPatch(files, { hunks: [{ path: "f.txt", index: 1 }] });
    expect(parsePatch(second)).toHaveLength(1);
    await runGit(["apply", "--check"], { cwd: repo.dir, input: second });
    await runGit(["apply"], { cwd: repo.dir, input: second });
    const expected = [...base];
    expected[24] = "second";
    expect(await readFile(join(repo.dir, "f.txt"), "utf8")).toBe(expected.join("\n") + "\n");
    expect(await readFile(join(repo.dir, "other.txt"), "utf8")).toBe("o\n");

    await git(repo.dir, "checkout", "-q", "--", ".");
    const first = selectPatch(files, { hunks: [{ path: "f.txt", index: 0 }], files: ["other.txt"] });
    await runGit(["apply"], { cwd: repo.dir, input: first });
    const expectedFirst = [...base];
    expectedFirst.splice(2, 1, "first A", "first B");
    expect(await readFile(join(repo.dir, "f.txt"), "utf8")).toBe(expectedFirst.join("\n") + "\n");
    expect(await readFile(join(repo.dir, "other.txt"), "utf8")).toBe("O\n");
  });

  it("adjusts later hunk positions and treats binary/rename/delete files as whole units", async () => {
    const { patch } = await twoHunkRepo();
    const files = parsePatch(patch);
    const only2 = parsePatch(selectPatch(files, { hunks: [{ path: "f.txt", index: 1 }] }))[0]!;
    expect(only2.hunks[0]!.newStart).toBe(files[0]!.hunks[1]!.newStart - 1);
    expect(selectPatch(files, {})).toBe(patch);
    expect(() => selectPatch(files, { hunks: [{ path: "f.txt", index: 5 }] })).toThrow(/does not exist/);
    expect(() => selectPatch(files, { files: ["missing.txt"] })).toThrow(/not in the patch/);
    const repo = await makeRepo({ "gone.txt": "a\nb\n" });
    await writeFiles(repo.dir, { "gone.txt": null });
    const del = parsePatch(`${await git(repo.dir, "diff")}\n`);
    expect(selectPatch(del, { hunks: [{ path: "gone.txt", index: 0 }] })).toBe(`${await git(repo.dir, "diff")}\n`);
  });
});
