import type { ModelClient } from "../model-client.ts";
import type { AgentTool } from "./agent-tool.ts";
import { applyPatchTool } from "./apply-patch-tool.ts";
import { editorTool } from "./editor-tool.ts";
import { requestUserInputTool } from "./request-user-input-tool.ts";
import { shellTool } from "./shell-tool.ts";
import { updatePlanTool } from "./update-plan-tool.ts";

export type AgentMode = "code" | "ask" | "plan";

/**
 * The tools a model gets: each family its own edit tool, and no edit tool where edits are not
 * allowed (ask mode; plan mode before the plan is approved).
 */
export function selectTools(opts: {
  family: ModelClient["family"];
  mode: AgentMode;
  planApproved: boolean;
}): AgentTool[] {
  const editsAllowed = opts.mode === "code" || (opts.mode === "plan" && opts.planApproved);
  const tools: AgentTool[] = [shellTool];
  if (editsAllowed) tools.push(opts.family === "openai" ? applyPatchTool : editorTool);
  if (opts.mode !== "ask") tools.push(updatePlanTool);
  tools.push(requestUserInputTool);
  return tools;
}
