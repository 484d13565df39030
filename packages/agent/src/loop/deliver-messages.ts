import type { EventBody } from "@cadre/protocol";
import type { InboxMessage } from "./agent-options.ts";

export const STOP_QUESTION = {
  question: "You asked the agent to stop. What should it do next?",
  options: ["Carry on where you left off", "Stop here and summarize what was done"],
};

/**
 * Emits the messages the user sent since the last step as `user_message` events (kind `message`),
 * so the next model call sees them. A "stop and ask me" message ends with a question to the user:
 * the caller then waits for the answer.
 */
export async function deliverMessages(
  inbox: (() => Promise<InboxMessage[]>) | undefined,
  emit: (e: EventBody) => Promise<void>,
): Promise<{ delivered: number; stop: boolean }> {
  if (!inbox) return { delivered: 0, stop: false };
  const messages = await inbox();
  for (const m of messages)
    await emit({ type: "user_message", kind: "message", text: m.text, messageId: m.id, stop: m.stop, by: m.by });
  const stop = messages.find((m) => m.stop);
  if (stop) await emit({ type: "question", callId: `stop-${stop.id}`, questions: [STOP_QUESTION] });
  return { delivered: messages.length, stop: stop !== undefined };
}
