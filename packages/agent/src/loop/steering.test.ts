import type { EventBody } from "@cadre/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { fakeModel } from "../testing/fake-model.ts";
import { LocalSandbox } from "../testing/local-sandbox.ts";
import type { InboxMessage, RunAgentOptions } from "./agent-options.ts";
import { rebuildConversation } from "./rebuild-conversation.ts";
import { runAgent } from "./run-agent.ts";
import { STOP_QUESTION } from "./deliver-messages.ts";

let sandboxes: LocalSandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.dispose()));
  sandboxes = [];
});

/** An inbox the test fills; each read takes what is there, like the runner's undelivered messages. */
function inbox(): { box: InboxMessage[]; read: () => Promise<InboxMessage[]> } {
  const box: InboxMessage[] = [];
  return { box, read: async () => box.splice(0, box.length) };
}

async function options(
  model: RunAgentOptions["model"],
  over: Partial<RunAgentOptions>,
): Promise<{ opts: RunAgentOptions; emitted: EventBody[] }> {
  const sandbox = await LocalSandbox.create({});
  sandboxes.push(sandbox);
  const emitted: EventBody[] = [];
  return {
    emitted,
    opts: {
      model,
      sandbox,
      mode: "code",
      history: [],
      input: { kind: "prompt", text: "Do the task" },
      budgets: { maxSteps: 50, maxTokens: 1_000_000, maxCostUsd: 10 },
      signal: new AbortController().signal,
      emit: async (event) => {
        emitted.push(event);
      },
      checkpoint: async () => undefined,
      ...over,
    },
  };
}

const message = (id: string, text: string, stop = false): InboxMessage => ({ id, text, stop, by: "admin" });

describe("messages to a running agent", () => {
  it("reach the next model request as a user message, without ending the run", async () => {
    const { box, read } = inbox();
    const model = fakeModel([
      () => {
        // The user types while the first step's command runs.
        box.push(message("msg_1", "use tabs, not spaces"));
        return { toolCalls: [{ name: "shell", input: { command: "echo one" } }] };
      },
      { toolCalls: [{ name: "shell", input: { command: "echo two" } }] },
      { text: "Done, with tabs." },
    ]);
    const { opts, emitted } = await options(model, { inbox: read });
    expect(await runAgent(opts)).toEqual({ kind: "completed", summary: "Done, with tabs." });
    const second = model.requests[1]?.items ?? [];
    const last = second[second.length - 1];
    expect(last).toMatchObject({ role: "user" });
    expect(last?.role === "user" && last.text).toContain("use tabs, not spaces");
    // The tool result of step one comes before it: the conversation stays valid for the APIs.
    expect(second[second.length - 2]).toMatchObject({ role: "tool" });
    expect(emitted.filter((e) => e.type === "user_message")).toEqual([
      { type: "user_message", kind: "prompt", text: "Do the task" },
      {
        type: "user_message",
        kind: "message",
        text: "use tabs, not spaces",
        messageId: "msg_1",
        stop: false,
        by: "admin",
      },
    ]);
  });

  it("arriving during the final step gets one more step instead of being dropped", async () => {
    const { box, read } = inbox();
    const model = fakeModel([
      () => {
        box.push(message("msg_2", "also update the README"));
        return { text: "All done." };
      },
      { text: "Updated the README too." },
    ]);
    const { opts } = await options(model, { inbox: read });
    expect(await runAgent(opts)).toEqual({ kind: "completed", summary: "Updated the README too." });
    expect(model.requests).toHaveLength(2);
  });

  it("'stop and ask me' stops at the next step and waits for an answer", async () => {
    const { box, read } = inbox();
    const model = fakeModel([
      () => {
        box.push(message("msg_3", "", true));
        return { toolCalls: [{ name: "shell", input: { command: "echo one" } }] };
      },
    ]);
    const { opts, emitted } = await options(model, { inbox: read });
    expect(await runAgent(opts)).toEqual({ kind: "waiting", waitingFor: "answer" });
    expect(model.requests).toHaveLength(1);
    expect(emitted[emitted.length - 1]).toEqual({
      type: "question",
      callId: "stop-msg_3",
      questions: [STOP_QUESTION],
    });
  });

  it("are kept when the conversation is rebuilt from the events (resume, follow-up)", () => {
    const history: EventBody[] = [
      { type: "user_message", kind: "prompt", text: "Do the task" },
      { type: "tool_call", callId: "c1", name: "shell", input: { command: "ls" } },
      { type: "tool_result", callId: "c1", name: "shell", output: "a.txt", isError: false },
      { type: "user_message", kind: "message", text: "skip the docs", messageId: "msg_4", stop: false },
    ];
    const { items } = rebuildConversation(history, 100_000);
    expect(items.map((i) => i.role)).toEqual(["user", "assistant", "tool", "user"]);
    const last = items[3];
    expect(last?.role === "user" && last.text).toContain("skip the docs");
  });
});
