import type { Event, PlanStep, Question, Usage } from "@cadre/protocol";

/** What the activity feed shows, built from the event log. Items are mutated in place and bump `rev`. */
interface Base {
  key: string;
  seq: number;
  at: string;
  turn: number;
  rev: number;
}

export type ActivityItem = Base &
  (
    | { kind: "user"; userKind: string; text: string }
    | { kind: "message"; text: string }
    | { kind: "reasoning"; text: string }
    | {
        kind: "command";
        callId: string;
        command: string;
        output: string;
        truncated: boolean;
        done: boolean;
        exitCode: number | null;
        durationMs: number | null;
        isError: boolean;
        interrupted: boolean;
      }
    | {
        kind: "edit";
        callId: string;
        name: string;
        detail: string;
        files: string[];
        done: boolean;
        isError: boolean;
        output: string;
      }
    | { kind: "tool"; callId: string; name: string; input: string; output: string; done: boolean; isError: boolean }
    | { kind: "plan"; explanation: string | null; steps: PlanStep[] }
    | { kind: "question"; callId: string; questions: Question[]; answer: string | null }
    | { kind: "status"; status: string; message: string | null; reason: string | null; waitingFor: string | null }
    | { kind: "turn"; phase: "started" | "completed"; filesChanged: number; additions: number; deletions: number }
    | { kind: "notice"; level: string; message: string }
    | { kind: "setup"; phase: string; output: string }
    | { kind: "conflict"; otherTaskId: string; paths: string[] }
    | { kind: "network"; host: string; method: string; reason: string }
    | { kind: "compaction"; tokensBefore: number; tokensAfter: number }
    | { kind: "paths"; paths: string[] }
  );

/** Output kept per command in the page: beyond it, the rest is in the command's tool result. */
const MAX_OUTPUT = 256 * 1024;
const HIDDEN_TOOLS = new Set(["update_plan", "request_user_input"]);

function commandText(input: unknown): string {
  if (typeof input === "object" && input !== null) {
    const o = input as Record<string, unknown>;
    const c = o.command ?? o.cmd;
    if (typeof c === "string") return c;
    if (Array.isArray(c)) {
      const parts = c.map(String);
      // ["bash", "-lc", "script"] reads best as the script alone.
      if (parts.length === 3 && /(^|\/)(ba)?sh$/.test(parts[0] as string) && /^-l?c$/.test(parts[1] as string))
        return parts[2] as string;
      return parts.join(" ");
    }
  }
  return JSON.stringify(input);
}

function editDetail(input: unknown): string {
  if (typeof input === "string") return input;
  if (typeof input === "object" && input !== null) {
    const o = input as Record<string, unknown>;
    if (typeof o.input === "string") return o.input;
    if (typeof o.patch === "string") return o.patch;
  }
  return JSON.stringify(input, null, 2);
}

function isEditTool(name: string): boolean {
  return name === "apply_patch" || /edit|write|replace/i.test(name);
}

export interface UsageRow {
  turn: number;
  model: string;
  steps: number;
  usage: Usage;
}

/** Folds events into feed items; feed it in seq order (duplicates and gaps from a resumed stream are ignored). */
export class ActivityLog {
  items: ActivityItem[] = [];
  lastSeq = 0;
  plan: { explanation: string | null; steps: PlanStep[] } | null = null;
  usageByTurn = new Map<number, UsageRow>();
  conflicts: { otherTaskId: string; paths: string[] }[] = [];
  expectedPaths: string[] = [];
  setupLog = "";
  private byCall = new Map<string, ActivityItem>();
  private openQuestion: (ActivityItem & { kind: "question" }) | null = null;

  apply(events: readonly Event[]): boolean {
    let changed = false;
    for (const e of events) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      this.one(e);
      changed = true;
    }
    return changed;
  }

  private push(e: Event, item: Record<string, unknown> & { kind: ActivityItem["kind"] }): ActivityItem {
    const full = { key: `e${e.seq}`, seq: e.seq, at: e.at, turn: e.turn, rev: 0, ...item } as ActivityItem;
    this.items.push(full);
    return full;
  }

  private one(e: Event): void {
    switch (e.type) {
      case "user_message": {
        const stop = e.kind === "message" && e.stop === true;
        this.push(e, {
          kind: "user",
          userKind: stop ? "stop" : e.kind,
          text: e.text || (stop ? "Stop and ask me" : ""),
        });
        if (e.kind === "answer" && this.openQuestion) {
          this.openQuestion.answer = e.text;
          this.openQuestion.rev++;
          this.openQuestion = null;
        }
        return;
      }
      case "assistant_message":
        if (e.text.trim()) this.push(e, { kind: "message", text: e.text });
        return;
      case "reasoning":
        if (e.text.trim()) this.push(e, { kind: "reasoning", text: e.text });
        return;
      case "tool_call": {
        if (HIDDEN_TOOLS.has(e.name)) return;
        let item: ActivityItem;
        if (e.name === "shell" || e.name === "exec" || e.name === "bash") {
          item = this.push(e, {
            kind: "command",
            callId: e.callId,
            command: commandText(e.input),
            output: "",
            truncated: false,
            done: false,
            exitCode: null,
            durationMs: null,
            isError: false,
            interrupted: false,
          });
        } else if (isEditTool(e.name)) {
          item = this.push(e, {
            kind: "edit",
            callId: e.callId,
            name: e.name,
            detail: editDetail(e.input),
            files: [],
            done: false,
            isError: false,
            output: "",
          });
        } else {
          item = this.push(e, {
            kind: "tool",
            callId: e.callId,
            name: e.name,
            input: JSON.stringify(e.input, null, 2),
            output: "",
            done: false,
            isError: false,
          });
        }
        this.byCall.set(e.callId, item);
        return;
      }
      case "command_output": {
        const item = this.byCall.get(e.callId);
        if (item?.kind !== "command") return;
        if (item.output.length < MAX_OUTPUT) item.output += e.chunk;
        else item.truncated = true;
        item.rev++;
        return;
      }
      case "tool_result": {
        const item = this.byCall.get(e.callId);
        if (!item) return;
        if (item.kind === "command") {
          item.done = true;
          item.exitCode = e.exitCode ?? null;
          item.durationMs = e.durationMs ?? null;
          item.isError = e.isError;
          item.interrupted = Boolean(e.interrupted);
          // The result carries the whole (capped) output; prefer it when nothing streamed.
          if (!item.output) item.output = e.output;
        } else if (item.kind === "edit" || item.kind === "tool") {
          item.done = true;
          item.isError = e.isError;
          item.output = e.output;
          if (item.kind === "edit") item.files = e.files ?? [];
        }
        item.rev++;
        this.byCall.delete(e.callId);
        return;
      }
      case "plan":
        this.plan = { explanation: e.explanation ?? null, steps: e.steps };
        this.push(e, { kind: "plan", explanation: e.explanation ?? null, steps: e.steps });
        return;
      case "question":
        this.openQuestion = this.push(e, {
          kind: "question",
          callId: e.callId,
          questions: e.questions,
          answer: null,
        }) as ActivityItem & { kind: "question" };
        return;
      case "status":
        this.push(e, {
          kind: "status",
          status: e.status,
          message: e.message ?? null,
          reason: e.reason ?? null,
          waitingFor: e.waitingFor ?? null,
        });
        return;
      case "turn_started":
        if (e.turn > 1) this.push(e, { kind: "turn", phase: "started", filesChanged: 0, additions: 0, deletions: 0 });
        return;
      case "turn_completed":
        this.push(e, {
          kind: "turn",
          phase: "completed",
          filesChanged: e.filesChanged,
          additions: e.additions,
          deletions: e.deletions,
        });
        return;
      case "usage": {
        const row = this.usageByTurn.get(e.turn) ?? {
          turn: e.turn,
          model: e.model,
          steps: 0,
          usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0 },
        };
        row.steps++;
        row.model = e.model;
        row.usage = {
          inputTokens: row.usage.inputTokens + e.usage.inputTokens,
          cachedInputTokens: row.usage.cachedInputTokens + e.usage.cachedInputTokens,
          outputTokens: row.usage.outputTokens + e.usage.outputTokens,
          reasoningTokens: row.usage.reasoningTokens + e.usage.reasoningTokens,
          costUsd: row.usage.costUsd + e.usage.costUsd,
        };
        this.usageByTurn.set(e.turn, row);
        return;
      }
      case "notice":
        this.push(e, { kind: "notice", level: e.level, message: e.message });
        return;
      case "setup_output": {
        this.setupLog += e.chunk;
        const last = this.items[this.items.length - 1];
        if (last?.kind === "setup" && last.phase === e.phase) {
          if (last.output.length < MAX_OUTPUT) last.output += e.chunk;
          last.rev++;
        } else this.push(e, { kind: "setup", phase: e.phase, output: e.chunk });
        return;
      }
      case "potential_conflict":
        this.conflicts.push({ otherTaskId: e.otherTaskId, paths: e.paths });
        this.push(e, { kind: "conflict", otherTaskId: e.otherTaskId, paths: e.paths });
        return;
      case "network_blocked":
        this.push(e, { kind: "network", host: e.host, method: e.method, reason: e.reason });
        return;
      case "compaction":
        this.push(e, { kind: "compaction", tokensBefore: e.tokensBefore, tokensAfter: e.tokensAfter });
        return;
      case "expected_paths":
        this.expectedPaths = e.paths;
        return;
      case "checkpoint":
        return;
      default:
        // Event types newer than this app are skipped rather than breaking the page.
        return;
    }
  }
}
