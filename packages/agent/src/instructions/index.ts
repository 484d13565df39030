export { CADRE_SYSTEM_PROMPT, modeInstructions } from "./system-prompt.ts";
export { loadAgentsMd, AGENTS_MD_BUDGET_BYTES } from "./agents-md.ts";
export type { AgentsMdResult } from "./agents-md.ts";
export { buildSystemPrompt } from "./build-system-prompt.ts";
export type { SystemPromptParts } from "./build-system-prompt.ts";
export { environmentInstructions, SANDBOX_ENVIRONMENT } from "./environment.ts";
