export type { AgentTool, ToolContext, ToolResult } from "./agent-tool.ts";
export { shellCallRuns, shellTool, SHELL_DEFAULT_TIMEOUT_MS } from "./shell-tool.ts";
export { applyPatchTool } from "./apply-patch-tool.ts";
export { editorTool, EDITOR_TOOL_NAME } from "./editor-tool.ts";
export { updatePlanTool } from "./update-plan-tool.ts";
export { requestUserInputTool } from "./request-user-input-tool.ts";
export { selectTools } from "./select-tools.ts";
export type { AgentMode } from "./select-tools.ts";
export { formatExecOutput, MODEL_OUTPUT_LIMIT } from "./format-exec-output.ts";
