import { afterEach, describe, expect, it } from "vitest";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import { applyPatchTool } from "./apply-patch-tool.ts";

let sandbox: LocalSandbox | null = null;
afterEach(async () => {
  await sandbox?.dispose();
  sandbox = null;
});
const PATCH = "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch";

describe("apply_patch tool", () => {
  it("is a custom tool carrying the Lark grammar", () => {
    expect(applyPatchTool.spec).toMatchObject({ kind: "custom", name: "apply_patch", grammar: { syntax: "lark" } });
    const spec = applyPatchTool.spec;
    expect(spec.kind === "custom" && spec.grammar?.definition).toContain('begin_patch: "*** Begin Patch" LF');
  });

  for (const [label, input] of [
    ["a raw string", PATCH],
    ["{ input }", { input: PATCH }],
    ["{ input } as JSON text", JSON.stringify({ input: PATCH })],
  ] as const) {
    it(`accepts ${label}`, async () => {
      sandbox = await LocalSandbox.create({});
      const r = await applyPatchTool.run(input, {
        sandbox,
        callId: "c",
        signal: new AbortController().signal,
        emit: async () => undefined,
      });
      expect(r).toMatchObject({ isError: false, files: ["a.txt"], changedFiles: true });
    });
  }

  it("reports a failed patch as an error without changing files", async () => {
    sandbox = await LocalSandbox.create({});
    const r = await applyPatchTool.run(42, {
      sandbox,
      callId: "c",
      signal: new AbortController().signal,
      emit: async () => undefined,
    });
    expect(r.isError).toBe(true);
    expect(r.changedFiles).toBeUndefined();
  });
});
