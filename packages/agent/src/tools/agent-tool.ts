import type { EventBody } from "@cadre/protocol";
import type { AgentSandbox } from "../agent-sandbox.ts";
import type { ToolSpec } from "../model-client.ts";

export interface ToolContext {
  sandbox: AgentSandbox;
  callId: string;
  signal: AbortSignal;
  /** Awaited: the runner stores each event before the tool continues. */
  emit: (event: EventBody) => Promise<void>;
}

export interface ToolResult {
  /** What the model reads: concise. */
  output: string;
  isError: boolean;
  exitCode?: number | null;
  durationMs?: number;
  /** Files the tool changed (edit tools). */
  files?: string[];
  /** The tool may have changed files: the loop checkpoints after it. */
  changedFiles?: boolean;
  /** The command was stopped by the cancellation signal. */
  cancelled?: boolean;
  /** The run must stop and wait (request_user_input). */
  waitFor?: "answer";
}

export interface AgentTool {
  spec: ToolSpec;
  run(input: unknown, ctx: ToolContext): Promise<ToolResult>;
}

export function toolError(output: string): ToolResult {
  return { output, isError: true };
}
