import { afterEach, describe, expect, it } from "vitest";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import { applyPatch } from "./apply-patch.ts";

const wrap = (...lines: string[]): string => `*** Begin Patch\n${lines.join("\n")}\n*** End Patch\n`;

let sandboxes: LocalSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
  sandboxes = [];
});
async function sandbox(files: Record<string, string>, readOnly = false): Promise<LocalSandbox> {
  const s = await LocalSandbox.create(files, { readOnly });
  sandboxes.push(s);
  return s;
}
const read = async (s: LocalSandbox, p: string): Promise<string | null> =>
  (await s.readFile(p))?.toString("utf8") ?? null;

describe("applyPatch", () => {
  it("adds, updates and deletes files and reports A/M/D", async () => {
    const s = await sandbox({ "m.txt": "a\nb\nc\n", "d.txt": "gone\n" });
    const r = await applyPatch(
      s,
      wrap(
        "*** Add File: dir/new.txt",
        "+hello",
        "*** Update File: m.txt",
        " a",
        "-b",
        "+B",
        " c",
        "*** Delete File: d.txt",
      ),
    );
    expect(r.output).toBe("Success. Updated the following files:\nA dir/new.txt\nM m.txt\nD d.txt");
    expect(r.ok).toBe(true);
    expect(await read(s, "dir/new.txt")).toBe("hello\n");
    expect(await read(s, "m.txt")).toBe("a\nB\nc\n");
    expect(await read(s, "d.txt")).toBeNull();
  });

  it("add replaces an existing file", async () => {
    const s = await sandbox({ "a.txt": "old\n" });
    const r = await applyPatch(s, wrap("*** Add File: a.txt", "+new"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("new\n");
  });

  it("moves a file after updating it", async () => {
    const s = await sandbox({ "src/a.ts": "x\ny\n" });
    const r = await applyPatch(s, wrap("*** Update File: src/a.ts", "*** Move to: lib/b.ts", "@@", " x", "-y", "+z"));
    expect(r.output).toBe("Success. Updated the following files:\nM lib/b.ts");
    expect(await read(s, "src/a.ts")).toBeNull();
    expect(await read(s, "lib/b.ts")).toBe("x\nz\n");
  });

  it("moves without changes", async () => {
    const s = await sandbox({ "a.txt": "x\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "*** Move to: b.txt"));
    expect(r.ok).toBe(true);
    expect(await read(s, "b.txt")).toBe("x\n");
    expect(await read(s, "a.txt")).toBeNull();
  });

  it("uses @@ context to pick the right occurrence", async () => {
    const s = await sandbox({ "f.py": "def a():\n    return 1\n\ndef b():\n    return 1\n" });
    const r = await applyPatch(s, wrap("*** Update File: f.py", "@@ def b():", "-    return 1", "+    return 2"));
    expect(r.ok).toBe(true);
    expect(await read(s, "f.py")).toBe("def a():\n    return 1\n\ndef b():\n    return 2\n");
  });

  it("supports nested @@ contexts", async () => {
    const s = await sandbox({ "f.py": "class A:\n  def f():\n    x\nclass B:\n  def f():\n    x\n" });
    const r = await applyPatch(s, wrap("*** Update File: f.py", "@@ class B:", "@@   def f():", "-    x", "+    y"));
    expect(r.ok).toBe(true);
    expect(await read(s, "f.py")).toBe("class A:\n  def f():\n    x\nclass B:\n  def f():\n    y\n");
  });

  it("applies several chunks in order", async () => {
    const s = await sandbox({ "a.txt": "1\n2\n3\n4\n5\n6\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "@@", "-2", "+two", "@@", " 4", "-5", "+five"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("1\ntwo\n3\n4\nfive\n6\n");
  });

  it("later chunks search after earlier ones", async () => {
    const s = await sandbox({ "a.txt": "x\ny\nx\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "@@", " y", "@@", "-x", "+X"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("x\ny\nX\n");
  });

  it("inserts pure additions after the @@ line, or at the end without one", async () => {
    const s = await sandbox({ "a.py": "class A:\n    pass\n", "b.txt": "1\n" });
    const r = await applyPatch(
      s,
      wrap("*** Update File: a.py", "@@ class A:", "+    x = 1", "*** Update File: b.txt", "+2"),
    );
    expect(r.ok).toBe(true);
    expect(await read(s, "a.py")).toBe("class A:\n    x = 1\n    pass\n");
    expect(await read(s, "b.txt")).toBe("1\n2\n");
  });

  it("matches ignoring trailing whitespace", async () => {
    const s = await sandbox({ "a.txt": "foo   \nbar\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", " foo", "-bar", "+baz"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("foo   \nbaz\n");
  });

  it("matches ignoring leading and trailing whitespace", async () => {
    const s = await sandbox({ "a.txt": "\tif x:\n\t\treturn 1\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "   if x:", "-        return 1", "+\t\treturn 2"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("\tif x:\n\t\treturn 2\n");
  });

  it("matches after normalizing typographic punctuation", async () => {
    const s = await sandbox({ "a.txt": "say(\u201Chi\u201D) \u2014 it\u2019s\u00A0ok\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", '-say("hi") - it\'s ok', '+say("bye")'));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe('say("bye")\n');
  });

  it("prefers the exact match over a fuzzy one earlier in the file", async () => {
    const s = await sandbox({ "a.txt": "x  \nx\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "-x", "+y"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("x  \ny\n");
  });

  it("anchors *** End of File chunks at the end", async () => {
    const s = await sandbox({ "a.txt": "end\nmiddle\nend\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "@@", "-end", "+END", "*** End of File"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("end\nmiddle\nEND\n");
  });

  it("appends at the end with an End of File pure insertion", async () => {
    const s = await sandbox({ "a.txt": "a\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "@@", " a", "+b", "*** End of File"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("a\nb\n");
  });

  it("keeps CRLF line endings", async () => {
    const s = await sandbox({ "w.txt": "one\r\ntwo\r\nthree\r\n" });
    const r = await applyPatch(s, wrap("*** Update File: w.txt", " one", "-two", "+2", "+2b", " three"));
    expect(r.ok).toBe(true);
    expect(await read(s, "w.txt")).toBe("one\r\n2\r\n2b\r\nthree\r\n");
  });

  it("adds the final newline to an updated file that lacked it", async () => {
    const s = await sandbox({ "a.txt": "a\nb" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", " a", "-b", "+c"));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("a\nc\n");
  });

  it("tolerates a trailing blank context line standing for the final newline", async () => {
    const s = await sandbox({ "a.txt": "a\nb\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", " a", "-b", "+c", " "));
    expect(r.ok).toBe(true);
    expect(await read(s, "a.txt")).toBe("a\nc\n");
  });

  it("keeps the executable bit of updated files", async () => {
    const s = await sandbox({});
    await s.writeFile("run.sh", "#!/bin/sh\necho a\n", { executable: true });
    const r = await applyPatch(s, wrap("*** Update File: run.sh", "-echo a", "+echo b"));
    expect(r.ok).toBe(true);
    expect((await s.stat("run.sh"))?.executable).toBe(true);
  });

  it("lets several hunks touch one file in sequence", async () => {
    const s = await sandbox({ "a.txt": "1\n2\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "-1", "+one", "*** Update File: a.txt", "-2", "+two"));
    expect(r.ok).toBe(true);
    expect(r.output).toBe("Success. Updated the following files:\nM a.txt");
    expect(await read(s, "a.txt")).toBe("one\ntwo\n");
  });

  it("accepts ./-prefixed and redundant paths", async () => {
    const s = await sandbox({ "src/a.txt": "x\n" });
    const r = await applyPatch(s, wrap("*** Update File: ./src//a.txt", "-x", "+y"));
    expect(r.output).toContain("M src/a.txt");
  });

  it("updates a file added earlier in the same patch, and re-adds a deleted one", async () => {
    const s = await sandbox({ "old.txt": "x\n" });
    const r = await applyPatch(
      s,
      wrap(
        "*** Add File: n.txt",
        "+a",
        "*** Update File: n.txt",
        "-a",
        "+b",
        "*** Delete File: old.txt",
        "*** Add File: old.txt",
        "+y",
      ),
    );
    expect(r.output).toBe("Success. Updated the following files:\nA n.txt\nA old.txt");
    expect(await read(s, "n.txt")).toBe("b\n");
    expect(await read(s, "old.txt")).toBe("y\n");
  });

  it("accepts unified-diff style '@@ header @@' lines and paths with spaces", async () => {
    const s = await sandbox({ "my dir/a b.py": "def f():\n    pass\n" });
    const r = await applyPatch(
      s,
      wrap("*** Update File: my dir/a b.py", "@@ def f(): @@", "-    pass", "+    return 1"),
    );
    expect(r.ok).toBe(true);
    expect(await read(s, "my dir/a b.py")).toBe("def f():\n    return 1\n");
  });

  it("moves onto an existing file, replacing it", async () => {
    const s = await sandbox({ "a.txt": "a\n", "b.txt": "b\n" });
    const r = await applyPatch(s, wrap("*** Update File: a.txt", "*** Move to: b.txt", "-a", "+A"));
    expect(r.ok).toBe(true);
    expect(await read(s, "b.txt")).toBe("A\n");
    expect(await read(s, "a.txt")).toBeNull();
  });

  it("keeps each untouched line's own ending in a file with mixed line endings", async () => {
    const s = await sandbox({ "w.txt": "a\r\nb\nc\r\nd\ne\r\n" });
    const r = await applyPatch(s, wrap("*** Update File: w.txt", " a", "-b", "+B", "+B2", " c", "@@ d", "-e", "+E"));
    expect(r.ok).toBe(true);
    // Added lines take the ending of the line they replace.
    expect(await read(s, "w.txt")).toBe("a\r\nB\nB2\nc\r\nd\nE\r\n");
  });

  it("edits a document that shows patch syntax, its '@@' and '***' lines as context", async () => {
    const s = await sandbox({ "doc.md": "```\n@@ -1 +1 @@\n*** Update File: x\nold\n```\n" });
    const r = await applyPatch(
      s,
      wrap("*** Update File: doc.md", " ```", " @@ -1 +1 @@", " *** Update File: x", "-old", "+new", " ```"),
    );
    expect(r.ok).toBe(true);
    expect(await read(s, "doc.md")).toBe("```\n@@ -1 +1 @@\n*** Update File: x\nnew\n```\n");
  });

  it("applies a CRLF patch to a CRLF file and keeps it CRLF", async () => {
    const s = await sandbox({ "w.txt": "a\r\nb\r\n" });
    const r = await applyPatch(s, "*** Begin Patch\r\n*** Update File: w.txt\r\n a\r\n-b\r\n+c\r\n*** End Patch\r\n");
    expect(r.ok).toBe(true);
    expect(await read(s, "w.txt")).toBe("a\r\nc\r\n");
  });

  it("applies a patch wrapped in a heredoc", async () => {
    const s = await sandbox({});
    const r = await applyPatch(
      s,
      "apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: h.txt\n+hi\n*** End Patch\nEOF\n",
    );
    expect(r.ok).toBe(true);
    expect(await read(s, "h.txt")).toBe("hi\n");
  });

  describe("all-or-nothing", () => {
    it("changes nothing when a later hunk fails, and names the hunk and quotes the lines", async () => {
      const s = await sandbox({ "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" });
      const r = await applyPatch(
        s,
        wrap(
          "*** Update File: a.txt",
          "-a",
          "+A",
          "*** Delete File: c.txt",
          "*** Add File: n.txt",
          "+n",
          "*** Update File: b.txt",
          " missing line",
          "-b",
          "+B",
        ),
      );
      expect(r.ok).toBe(false);
      expect(r.output).toContain("no file was changed");
      expect(r.output).toContain("Hunk 4 (*** Update File: b.txt)");
      expect(r.output).toContain("missing line\nb");
      expect(await read(s, "a.txt")).toBe("a\n");
      expect(await read(s, "c.txt")).toBe("c\n");
      expect(await read(s, "n.txt")).toBeNull();
    });

    it("names the chunk when a hunk has several", async () => {
      const s = await sandbox({ "a.txt": "a\nb\n" });
      const r = await applyPatch(s, wrap("*** Update File: a.txt", "@@", "-a", "+A", "@@", "-zzz", "+Z"));
      expect(r.output).toMatch(
        /Hunk 1 \(\*\*\* Update File: a.txt\), chunk 2: could not find these lines after the previous chunk:\nzzz/,
      );
      expect(await read(s, "a.txt")).toBe("a\nb\n");
    });

    it("reports a missing @@ context line", async () => {
      const s = await sandbox({ "a.txt": "a\n" });
      const r = await applyPatch(s, wrap("*** Update File: a.txt", "@@ def nope():", "-a", "+b"));
      expect(r.output).toContain("could not find the context line '@@ def nope():'");
    });

    it("reports an End of File chunk that is not at the end", async () => {
      const s = await sandbox({ "a.txt": "a\nb\n" });
      const r = await applyPatch(s, wrap("*** Update File: a.txt", "-q", "+b", "*** End of File"));
      expect(r.output).toContain("at the end of the file");
    });
  });

  describe("refusals", () => {
    const cases: Array<[string, Record<string, string>, string, RegExp]> = [
      [
        "update of a missing file",
        {},
        wrap("*** Update File: nope.txt", "-a", "+b"),
        /nope.txt does not exist.*Add File/,
      ],
      ["delete of a missing file", {}, wrap("*** Delete File: nope.txt"), /nope.txt does not exist/],
      ["delete of a directory", { "d/x": "x" }, wrap("*** Delete File: d"), /is a directory/],
      ["absolute path", {}, wrap("*** Add File: /etc/passwd", "+x"), /absolute path refused/],
      ["path leaving the workspace", {}, wrap("*** Add File: ../x", "+x"), /leaves the workspace/],
      ["sneaky ..", {}, wrap("*** Add File: a/../../x", "+x"), /leaves the workspace/],
      [
        "move out of the workspace",
        { a: "a\n" },
        wrap("*** Update File: a", "*** Move to: ../b"),
        /leaves the workspace/,
      ],
      ["missing End Patch", {}, "*** Begin Patch\n*** Add File: a\n+x\n", /End Patch/],
      ["empty patch", {}, "", /empty/],
    ];
    for (const [name, files, patch, re] of cases) {
      it(name, async () => {
        const s = await sandbox(files);
        const r = await applyPatch(s, patch);
        expect(r.ok).toBe(false);
        expect(r.output).toMatch(re);
      });
    }

    it("refuses to write in a read-only workspace", async () => {
      const s = await sandbox({}, true);
      const r = await applyPatch(s, wrap("*** Add File: a", "+x"));
      expect(r.ok).toBe(false);
      expect(r.output).toContain("read-only");
    });
  });

  it("rolls back written files when a write fails", async () => {
    const s = await sandbox({ "a.txt": "a\n" });
    const failing = Object.assign(Object.create(s) as LocalSandbox, {
      writeFile: async (p: string, d: Buffer | string, o?: { executable?: boolean }) => {
        if (p === "b.txt") throw new Error("disk full");
        return s.writeFile(p, d, o);
      },
    });
    const r = await applyPatch(failing, wrap("*** Update File: a.txt", "-a", "+A", "*** Add File: b.txt", "+b"));
    expect(r.ok).toBe(false);
    expect(r.output).toContain("disk full");
    expect(await read(s, "a.txt")).toBe("a\n");
  });
});
