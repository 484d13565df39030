export { applyPatch } from "./apply-patch.ts";
export type { ApplyPatchResult } from "./apply-patch.ts";
export { parsePatch } from "./parse-patch.ts";
export { PatchError } from "./patch-error.ts";
export type { ParsedPatch, PatchHunk, UpdateChunk } from "./patch-types.ts";
export { APPLY_PATCH_LARK_GRAMMAR } from "./grammar.ts";
