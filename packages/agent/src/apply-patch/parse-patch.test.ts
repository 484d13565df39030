import { describe, expect, it } from "vitest";
import { parsePatch } from "./parse-patch.ts";
import { PatchError } from "./patch-error.ts";

const wrap = (body: string): string => `*** Begin Patch\n${body}\n*** End Patch`;

describe("parsePatch", () => {
  it("parses add, delete, update and move hunks", () => {
    const p = parsePatch(
      wrap(
        [
          "*** Add File: a.txt",
          "+one",
          "+two",
          "*** Delete File: b.txt",
          "*** Update File: c.txt",
          "*** Move to: d.txt",
          "@@ def f():",
          " x",
          "-y",
          "+z",
        ].join("\n"),
      ),
    );
    expect(p.hunks).toEqual([
      { type: "add", path: "a.txt", contents: "one\ntwo\n" },
      { type: "delete", path: "b.txt" },
      {
        type: "update",
        path: "c.txt",
        moveTo: "d.txt",
        chunks: [
          {
            contexts: ["def f():"],
            oldLines: ["x", "y"],
            newLines: ["x", "z"],
            newFromOld: [0, null],
            isEndOfFile: false,
          },
        ],
      },
    ]);
  });

  it("splits chunks on @@ and marks *** End of File", () => {
    const p = parsePatch(
      wrap(["*** Update File: a", "@@", "-a", "+b", "@@ ctx", "-c", "+d", "*** End of File"].join("\n")),
    );
    const h = p.hunks[0];
    expect(h?.type === "update" && h.chunks).toEqual([
      { contexts: [], oldLines: ["a"], newLines: ["b"], newFromOld: [null], isEndOfFile: false },
      { contexts: ["ctx"], oldLines: ["c"], newLines: ["d"], newFromOld: [null], isEndOfFile: true },
    ]);
  });

  it("accepts a first chunk without @@ and treats empty lines as blank context", () => {
    const p = parsePatch(wrap(["*** Update File: a", " x", "", "-y", "+z"].join("\n")));
    const h = p.hunks[0];
    expect(h?.type === "update" && h.chunks[0]).toEqual({
      contexts: [],
      oldLines: ["x", "", "y"],
      newLines: ["x", "", "z"],
      newFromOld: [0, 1, null],
      isEndOfFile: false,
    });
  });

  it("keeps consecutive @@ headers as nested contexts", () => {
    const p = parsePatch(wrap(["*** Update File: a", "@@ class A", "@@ def f", "-x", "+y"].join("\n")));
    const h = p.hunks[0];
    expect(h?.type === "update" && h.chunks[0]?.contexts).toEqual(["class A", "def f"]);
  });

  it("tolerates heredoc wrappers, CRLF and whitespace around marker lines", () => {
    for (const text of [
      "<<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n",
      'apply_patch <<"PATCH"\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nPATCH',
      "<<EOF\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF",
      "\n\n  *** Begin Patch  \n   *** Add File: a  \n+x\n *** End Patch \n\n",
      "*** Begin Patch\r\n*** Add File: a\r\n+x\r\n*** End Patch\r\n",
    ]) {
      expect(parsePatch(text).hunks).toEqual([{ type: "add", path: "a", contents: "x\n" }]);
    }
  });

  it("tolerates padded @@ and End of File markers", () => {
    const p = parsePatch(wrap(["*** Update File: a", "  @@ ctx  ", "-x", "+y", "  *** End of File "].join("\n")));
    const h = p.hunks[0];
    expect(h?.type === "update" && h.chunks[0]).toEqual({
      contexts: ["ctx"],
      oldLines: ["x"],
      newLines: ["y"],
      newFromOld: [null],
      isEndOfFile: true,
    });
  });

  it("reads a context line whose text begins with '@@' or '***' as context, not a header", () => {
    const p = parsePatch(
      wrap(
        ["*** Update File: doc.md", " @@ -1,2 +1,2 @@", " *** Add File: x", " *** End of File", "-old", "+new"].join(
          "\n",
        ),
      ),
    );
    expect(p.hunks).toEqual([
      {
        type: "update",
        path: "doc.md",
        moveTo: null,
        chunks: [
          {
            contexts: [],
            oldLines: ["@@ -1,2 +1,2 @@", "*** Add File: x", "*** End of File", "old"],
            newLines: ["@@ -1,2 +1,2 @@", "*** Add File: x", "*** End of File", "new"],
            newFromOld: [0, 1, 2, null],
            isEndOfFile: false,
          },
        ],
      },
    ]);
  });

  it("allows an added empty file", () => {
    expect(parsePatch(wrap("*** Add File: empty.txt")).hunks).toEqual([
      { type: "add", path: "empty.txt", contents: "" },
    ]);
  });

  const errors: Array<[string, string, RegExp]> = [
    ["empty", "", /empty/],
    ["blank", "  \n\n", /empty/],
    ["missing begin", "*** Add File: a\n+x\n*** End Patch", /first line.*\*\*\* Begin Patch/],
    ["missing end", "*** Begin Patch\n*** Add File: a\n+x", /last line.*\*\*\* End Patch/],
    ["unknown header", wrap("*** Frobnicate File: a"), /not a valid hunk header/],
    ["no hunks", "*** Begin Patch\n*** End Patch", /no hunks/],
    ["update without changes", wrap("*** Update File: a"), /has no changes/],
    ["bad add line", wrap("*** Add File: a\nx"), /does not start with '\+'/],
    ["bad update line", wrap("*** Update File: a\n@@\n*x"), /must start with ' '/],
    ["missing path", wrap("*** Delete File: "), /names no file/],
    ["context without lines", wrap("*** Update File: a\n-x\n+y\n@@ ctx"), /followed by no change lines/],
  ];
  for (const [name, text, re] of errors) {
    it(`refuses: ${name}`, () => {
      expect(() => parsePatch(text)).toThrow(PatchError);
      expect(() => parsePatch(text)).toThrow(re);
    });
  }
});
