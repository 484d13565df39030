import type { ModelClient } from "../model-client.ts";
import type { AgentMode } from "../tools/select-tools.ts";
import { environmentInstructions } from "./environment.ts";
import { CADRE_SYSTEM_PROMPT, modeInstructions } from "./system-prompt.ts";

export interface SystemPromptParts {
  family: ModelClient["family"];
  mode: AgentMode;
  planApproved: boolean;
  /** AGENTS.md text from loadAgentsMd. */
  agentsMd?: string;
  /** About the sandbox: OS, tools, network policy — written by the runner. */
  environment?: string;
  /** Extra instructions for this task (e.g. from the task's settings). */
  task?: string;
}

/** The full system prompt: Cadre's instructions, the mode, the environment, AGENTS.md, then the task's own. */
export function buildSystemPrompt(p: SystemPromptParts): string {
  const sections = [CADRE_SYSTEM_PROMPT, modeInstructions(p.mode, p.planApproved, p.family)];
  sections.push(`# Environment\n\n${environmentInstructions(p.environment)}`);
  if (p.agentsMd?.trim()) {
    sections.push(
      "# Repository instructions (AGENTS.md)\n\nFollow these instructions from the repository; deeper files refine the ones above them. " +
        `Task instructions and the person's messages take precedence.\n\n${p.agentsMd.trim()}`,
    );
  }
  if (p.task?.trim()) sections.push(`# Task instructions\n\n${p.task.trim()}`);
  return sections.join("\n\n");
}
