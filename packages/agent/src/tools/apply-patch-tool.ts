import { APPLY_PATCH_LARK_GRAMMAR } from "../apply-patch/grammar.ts";
import { applyPatch } from "../apply-patch/apply-patch.ts";
import type { AgentTool } from "./agent-tool.ts";
import { toolError } from "./agent-tool.ts";

export const applyPatchTool: AgentTool = {
  spec: {
    kind: "custom",
    name: "apply_patch",
    description:
      "Edit files with a patch. Format: '*** Begin Patch', then hunks ('*** Add File: path' + '+' lines; " +
      "'*** Delete File: path'; '*** Update File: path' [+ '*** Move to: path'] with '@@ header' lines and ' '/'-'/'+' lines " +
      "giving ~3 lines of context around each change), then '*** End Patch'. Paths are relative to the workspace root. " +
      "The patch applies all-or-nothing.",
    grammar: { syntax: "lark", definition: APPLY_PATCH_LARK_GRAMMAR },
  },
  async run(input, ctx) {
    const text = patchText(input);
    if (text === null)
      return toolError("apply_patch: the input must be the patch text (a string starting with '*** Begin Patch').");
    const r = await applyPatch(ctx.sandbox, text);
    if (!r.ok) return toolError(r.output);
    return { output: r.output, isError: false, files: r.files, changedFiles: true };
  },
};

/** Custom tools pass the raw string; providers without custom tools pass `{ input }` (tolerate `{ patch }` too). */
function patchText(input: unknown): string | null {
  if (typeof input === "string") {
    if (input.trimStart().startsWith("{")) {
      try {
        return patchText(JSON.parse(input));
      } catch {
        return input;
      }
    }
    return input;
  }
  if (typeof input === "object" && input !== null) {
    for (const key of ["input", "patch"]) {
      const v = (input as Record<string, unknown>)[key];
      if (typeof v === "string") return v;
    }
  }
  return null;
}
