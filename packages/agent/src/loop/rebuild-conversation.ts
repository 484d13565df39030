import type { EventBody } from "@cadre/protocol";
import type { ConversationItem, ToolCall } from "../model-client.ts";
import { compactConversation } from "./compaction.ts";
import { userMessageText } from "./user-message-text.ts";

export const INTERRUPTED_RESULT = "interrupted: the runner stopped while this ran; re-run it if still needed";

export interface RebuiltConversation {
  items: ConversationItem[];
  /** Tool calls with no result in history; they got INTERRUPTED_RESULT and need a tool_result event. */
  interrupted: Array<{ callId: string; name: string }>;
}

/**
 * Rebuilds the model conversation from an attempt's events: that is what makes a run durable.
 * A model step's events are [reasoning] [assistant_message] usage, then tool_call/tool_result pairs;
 * the calls of one step form one assistant item, followed by their results. A compaction event
 * replaces everything before it by the task prompt, its summary and the recent items that fit in
 * `keepTokens`.
 */
export function rebuildConversation(history: readonly EventBody[], keepTokens: number): RebuiltConversation {
  const results = new Map<string, string>();
  for (const e of history) if (e.type === "tool_result" && !results.has(e.callId)) results.set(e.callId, e.output);

  let items: ConversationItem[] = [];
  const interrupted: RebuiltConversation["interrupted"] = [];
  let prompt: ConversationItem | null = null;
  let assistant: (ConversationItem & { role: "assistant" }) | null = null;
  let pending: ToolCall[] = [];
  let inStepHeader = false;

  const flush = (): void => {
    for (const call of pending) {
      let output = results.get(call.callId);
      if (output === undefined) {
        output = INTERRUPTED_RESULT;
        interrupted.push({ callId: call.callId, name: call.name });
      }
      items.push({ role: "tool", callId: call.callId, name: call.name, output });
    }
    pending = [];
  };
  const startStep = (): void => {
    if (inStepHeader) return;
    flush();
    assistant = null;
    inStepHeader = true;
  };

  for (const e of history) {
    switch (e.type) {
      case "user_message": {
        flush();
        assistant = null;
        inStepHeader = false;
        const item: ConversationItem = { role: "user", text: userMessageText(e.kind, e.text, e.stop ?? false) };
        if (e.kind === "prompt" && prompt === null) prompt = item;
        items.push(item);
        break;
      }
      case "reasoning":
      case "usage":
        startStep();
        break;
      case "assistant_message":
        startStep();
        if (assistant) assistant.text += `\n${e.text}`;
        else {
          assistant = { role: "assistant", text: e.text, toolCalls: [] };
          items.push(assistant);
        }
        break;
      case "tool_call": {
        inStepHeader = false;
        if (!assistant) {
          assistant = { role: "assistant", text: "", toolCalls: [] };
          items.push(assistant);
        }
        const call: ToolCall = { callId: e.callId, name: e.name, input: e.input };
        assistant.toolCalls.push(call);
        pending.push(call);
        break;
      }
      case "tool_result":
        inStepHeader = false;
        break;
      case "compaction":
        flush();
        assistant = null;
        inStepHeader = false;
        items = compactConversation(items, e.summary, prompt, keepTokens);
        break;
      default:
        break;
    }
  }
  flush();
  return { items, interrupted };
}
