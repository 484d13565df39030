import type { EventBody } from "@cadre/protocol";
import type { AgentSandbox } from "../agent-sandbox.ts";
import type { ModelClient } from "../model-client.ts";
import type { AgentMode } from "../tools/select-tools.ts";

export type AgentInputKind = "prompt" | "followup" | "answer" | "plan_approved" | "plan_rejected" | "resolve_conflicts";

export interface AgentInput {
  kind: AgentInputKind;
  text: string;
}

/** A message the user sent while the attempt runs (see `RunAgentOptions.inbox`). */
export interface InboxMessage {
  id: string;
  text: string;
  /** "Stop and ask me": stop at this step and wait for the user's answer. */
  stop: boolean;
  by: string;
}

export interface AgentBudgets {
  /** Model calls in the attempt (all turns), counted from its usage events. */
  maxSteps: number;
  /** Input + output tokens in the attempt. */
  maxTokens: number;
  maxCostUsd: number;
}

/** USD per million tokens. `inputPerMTok` applies to uncached input tokens. */
export interface ModelPrice {
  inputPerMTok: number;
  cachedInputPerMTok: number;
  outputPerMTok: number;
}

export interface RunAgentOptions {
  model: ModelClient;
  sandbox: AgentSandbox;
  mode: AgentMode;
  /** Every event of this attempt so far, in order. */
  history: EventBody[];
  /** null = resume after a crash from `history` alone. */
  input: AgentInput | null;
  instructions?: { environment?: string; task?: string };
  budgets: AgentBudgets;
  price?: ModelPrice;
  signal: AbortSignal;
  /** Awaited: the runner stores each event before the loop continues. */
  emit: (event: EventBody) => Promise<void>;
  /**
   * Messages the user sent since the last step, read before every model call. Each is emitted as a
   * `user_message` of kind `message` carrying its id; storing that event is what marks it delivered.
   */
  inbox?: () => Promise<InboxMessage[]>;
  /** Called after every tool call that may have changed files. */
  checkpoint: () => Promise<void>;
  /** Checkpoint after shell commands too (they may write files). Default true. */
  checkpointAfterShell?: boolean;
  /** Folder (relative to the workspace root) whose AGENTS.md chain applies. Default: the root. */
  workdir?: string;
}

export type AgentOutcome =
  | { kind: "completed"; summary: string }
  | { kind: "waiting"; waitingFor: "answer" | "plan_approval" }
  | { kind: "failed"; reason: "model_error" | "budget_exceeded" | "stuck" | "internal"; message: string }
  | { kind: "cancelled" };
