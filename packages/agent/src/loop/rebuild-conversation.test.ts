import type { EventBody } from "@cadre/protocol";
import { describe, expect, it } from "vitest";
import { INTERRUPTED_RESULT, rebuildConversation } from "./rebuild-conversation.ts";

const usage = (step: number): EventBody => ({
  type: "usage",
  model: "m",
  step,
  usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, costUsd: 0 },
});
const call = (id: string, name = "shell"): EventBody => ({
  type: "tool_call",
  callId: id,
  name,
  input: { command: id },
});
const result = (id: string, name = "shell"): EventBody => ({
  type: "tool_result",
  callId: id,
  name,
  output: `out ${id}`,
  isError: false,
});

describe("rebuildConversation", () => {
  it("groups one step's calls into one assistant item, results after it", () => {
    const { items, interrupted } = rebuildConversation(
      [
        { type: "status", status: "running" },
        { type: "user_message", kind: "prompt", text: "task" },
        { type: "reasoning", text: "thinking" },
        { type: "assistant_message", text: "looking" },
        usage(1),
        call("a"),
        { type: "command_output", callId: "a", stream: "stdout", chunk: "x" },
        result("a"),
        call("b"),
        result("b"),
        usage(2),
        call("c"),
        result("c"),
        { type: "assistant_message", text: "done" },
        usage(3),
        { type: "user_message", kind: "followup", text: "more" },
      ],
      1000,
    );
    expect(interrupted).toEqual([]);
    expect(items).toEqual([
      { role: "user", text: "task" },
      {
        role: "assistant",
        text: "looking",
        toolCalls: [
          { callId: "a", name: "shell", input: { command: "a" } },
          { callId: "b", name: "shell", input: { command: "b" } },
        ],
      },
      { role: "tool", callId: "a", name: "shell", output: "out a" },
      { role: "tool", callId: "b", name: "shell", output: "out b" },
      { role: "assistant", text: "", toolCalls: [{ callId: "c", name: "shell", input: { command: "c" } }] },
      { role: "tool", callId: "c", name: "shell", output: "out c" },
      { role: "assistant", text: "done", toolCalls: [] },
      { role: "user", text: "more" },
    ]);
  });

  it("gives calls without a result the interrupted result, wherever their result event lands later", () => {
    const history: EventBody[] = [
      { type: "user_message", kind: "prompt", text: "t" },
      usage(1),
      call("a"),
      result("a"),
      call("b"),
    ];
    const first = rebuildConversation(history, 1000);
    expect(first.interrupted).toEqual([{ callId: "b", name: "shell" }]);
    expect(first.items[first.items.length - 1]).toEqual({
      role: "tool",
      callId: "b",
      name: "shell",
      output: INTERRUPTED_RESULT,
    });
    // After the synthetic result is stored (after other events), the rebuild places it with its call.
    const later = rebuildConversation(
      [
        ...history,
        { type: "status", status: "running" },
        {
          type: "tool_result",
          callId: "b",
          name: "shell",
          output: INTERRUPTED_RESULT,
          isError: true,
          interrupted: true,
        },
        { type: "user_message", kind: "followup", text: "go" },
      ],
      1000,
    );
    expect(later.interrupted).toEqual([]);
    expect(later.items.map((i) => i.role)).toEqual(["user", "assistant", "tool", "tool", "user"]);
  });

  it("maps input kinds to text the model understands", () => {
    const { items } = rebuildConversation(
      [
        { type: "user_message", kind: "prompt", text: "p" },
        { type: "user_message", kind: "plan_rejected", text: "no" },
        { type: "user_message", kind: "plan_approved", text: "" },
        { type: "user_message", kind: "answer", text: "B" },
      ],
      1000,
    );
    expect(items.map((i) => i.role === "user" && i.text)).toEqual([
      "p",
      expect.stringContaining("not approved. Comments:\nno"),
      "The plan is approved. Implement it now.",
      "Answer to your question:\nB",
    ]);
  });

  it("replaces everything before a compaction by the prompt, the summary and the recent items that fit", () => {
    const big = "x".repeat(4000); // ~1000 tokens each
    const history: EventBody[] = [
      { type: "user_message", kind: "prompt", text: "the task" },
      usage(1),
      call("a"),
      { type: "tool_result", callId: "a", name: "shell", output: big, isError: false },
      usage(2),
      call("b"),
      { type: "tool_result", callId: "b", name: "shell", output: big, isError: false },
      usage(3),
      call("c"),
      { type: "tool_result", callId: "c", name: "shell", output: "small", isError: false },
      { type: "compaction", tokensBefore: 3000, tokensAfter: 300, summary: "SUMMARY" },
      { type: "user_message", kind: "followup", text: "next" },
    ];
    const { items } = rebuildConversation(history, 500);
    expect(items).toEqual([
      { role: "user", text: "the task" },
      { role: "user", text: expect.stringContaining("SUMMARY") },
      { role: "assistant", text: "", toolCalls: [{ callId: "c", name: "shell", input: { command: "c" } }] },
      { role: "tool", callId: "c", name: "shell", output: "small" },
      { role: "user", text: "next" },
    ]);
  });

  it("never keeps a tool result without its call after compaction", () => {
    const history: EventBody[] = [
      { type: "user_message", kind: "prompt", text: "t" },
      usage(1),
      call("a"),
      { type: "tool_result", callId: "a", name: "shell", output: "y".repeat(4000), isError: false },
      { type: "tool_result", callId: "zz", name: "shell", output: "", isError: false },
      { type: "compaction", tokensBefore: 1, tokensAfter: 1, summary: "S" },
    ];
    // Budget fits the small result only, not the call's assistant item with the big result.
    const { items } = rebuildConversation(history, 50);
    expect(items.some((i) => i.role === "tool")).toBe(false);
  });
});
