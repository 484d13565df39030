import type { ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";

/** Every hint stated, none left to a client's defaults (which assume the worst). */
type StatedAnnotations = Required<ToolAnnotations>;

/*
 * MCP clients decide from these hints whether to run a tool without asking (Codex CLI, for one,
 * runs a tool on its own only when it is read-only, or neither destructive nor open-world), so
 * they must say what each tool really does.
 */

/** Reads Cadre's state and changes nothing. */
const reads = (title: string): StatedAnnotations => ({
  title,
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
});

/**
 * Adds to Cadre's own state only (a task, a turn, an answer): no repository, work tree or remote
 * changes; the agent works in a sandbox and its result waits for review. Each call adds again.
 */
const addsToCadre = (title: string): StatedAnnotations => ({
  title,
  readOnlyHint: false,
  destructiveHint: false,
  idempotentHint: false,
  openWorldHint: false,
});

export const TOOL_ANNOTATIONS = {
  list_repos: reads("List Cadre repositories"),
  list_tasks: reads("List Cadre tasks"),
  get_task: reads("Get a Cadre task"),
  wait_for_task: reads("Wait for a Cadre task"),
  get_diff: reads("Get a Cadre task's diff"),
  start_task: addsToCadre("Start a Cadre task"),
  send_followup: addsToCadre("Send a follow-up to a Cadre task"),
  answer_question: addsToCadre("Answer a Cadre task's question"),
  approve_plan: addsToCadre("Approve a Cadre task's plan"),
  // Writes the change over files in a local working tree and records the task as delivered.
  apply_task: {
    title: "Apply a Cadre task to a local clone",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: false,
  },
  // Merges into a branch and pushes it, or pushes a new branch, to the repository's origin.
  approve_task: {
    title: "Deliver a Cadre task (merge or push)",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true,
  },
} as const satisfies Record<string, StatedAnnotations>;

export type ToolName = keyof typeof TOOL_ANNOTATIONS;
