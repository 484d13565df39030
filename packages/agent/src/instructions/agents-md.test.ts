import { afterEach, describe, expect, it } from "vitest";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import { loadAgentsMd } from "./agents-md.ts";

let sandbox: LocalSandbox | null = null;
afterEach(async () => {
  await sandbox?.dispose();
  sandbox = null;
});

describe("loadAgentsMd", () => {
  it("joins AGENTS.md files root-first down to the working folder", async () => {
    sandbox = await LocalSandbox.create({
      "AGENTS.md": "root",
      "pkg/AGENTS.md": "pkg",
      "pkg/a/AGENTS.md": "deep",
      "other/AGENTS.md": "other",
    });
    const r = await loadAgentsMd(sandbox, "pkg/a");
    expect(r.files).toEqual(["AGENTS.md", "pkg/AGENTS.md", "pkg/a/AGENTS.md"]);
    expect(r.text).toBe("## AGENTS.md\n\nroot\n\n## pkg/AGENTS.md\n\npkg\n\n## pkg/a/AGENTS.md\n\ndeep");
    expect(r.truncated).toBe(false);
  });

  it("only reads the root file for the root", async () => {
    sandbox = await LocalSandbox.create({ "AGENTS.md": "root", "pkg/AGENTS.md": "pkg" });
    expect((await loadAgentsMd(sandbox)).files).toEqual(["AGENTS.md"]);
  });

  it("prefers AGENTS.override.md in its folder", async () => {
    sandbox = await LocalSandbox.create({
      "AGENTS.md": "root",
      "AGENTS.override.md": "override",
      "pkg/AGENTS.md": "pkg",
    });
    const r = await loadAgentsMd(sandbox, "pkg");
    expect(r.files).toEqual(["AGENTS.override.md", "pkg/AGENTS.md"]);
    expect(r.text).not.toContain("root");
  });

  it("returns nothing when there are no files", async () => {
    sandbox = await LocalSandbox.create({});
    expect(await loadAgentsMd(sandbox, "x/y")).toEqual({ text: "", files: [], truncated: false, totalBytes: 0 });
  });

  it("cuts at the budget, keeping the root first, and reports the truncation", async () => {
    sandbox = await LocalSandbox.create({
      "AGENTS.md": "r".repeat(60),
      "a/AGENTS.md": "a".repeat(60),
      "a/b/AGENTS.md": "b".repeat(60),
    });
    const r = await loadAgentsMd(sandbox, "a/b", 100);
    expect(r.truncated).toBe(true);
    expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(100);
    expect(r.text.startsWith("## AGENTS.md\n\nrrrr")).toBe(true);
    expect(r.text).not.toContain("b/AGENTS.md");
    expect(r.totalBytes).toBe(180);
  });

  it("never splits a multi-byte character at the cut", async () => {
    sandbox = await LocalSandbox.create({ "AGENTS.md": "é".repeat(100) });
    const r = await loadAgentsMd(sandbox, ".", 51);
    expect(r.text).not.toContain("\uFFFD");
  });
});
