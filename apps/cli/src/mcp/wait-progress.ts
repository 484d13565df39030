import type { Attempt, Event } from "@cadre/protocol";
import { formatEvent } from "../format-event.ts";
import type { ToolContext } from "./tool-context.ts";
import type { WaitOptions } from "./wait-until-settled.ts";

const MAX_MESSAGE = 200;
// Output chunks and reasoning would flood the client; the tool calls and statuses tell the story.
const QUIET: ReadonlySet<Event["type"]> = new Set(["command_output", "reasoning"]);

/**
 * MCP progress notifications for a wait, one per event worth a line, when the client asked for
 * progress by sending a token; nothing otherwise.
 */
export function waitProgress(context: ToolContext): Pick<WaitOptions, "onStart" | "onEvent"> {
  const token = context._meta?.progressToken;
  if (token === undefined) return {};
  let progress = 0;
  const send = (message: string): void => {
    progress += 1;
    const params = { progressToken: token, progress, message: message.slice(0, MAX_MESSAGE) };
    // A client that went away must not fail the wait; the result still goes out if it can.
    context.sendNotification({ method: "notifications/progress", params }).catch(() => undefined);
  };
  return {
    onStart: (attempt: Attempt) => send(`attempt ${attempt.index}: ${attempt.status}, waiting for it to settle`),
    onEvent: (event: Event, attemptIndex: number) => {
      if (QUIET.has(event.type)) return;
      const line = formatEvent(event, { color: false }).split("\n")[0]?.trim();
      if (line) send(`attempt ${attemptIndex}: ${line}`);
    },
  };
}
