import type { ScriptContext, Step } from "../../support/scripted-model/types.ts";

export interface Route {
  /** Text that appears in the user message (prompt, follow-up, answer) that starts this turn. */
  marker: string;
  steps: Step[];
}

/**
 * A script that picks the steps by the latest user message: one server can then run several
 * tasks and follow-ups in any order. Unmatched turns answer "done".
 */
export function routedScript(routes: Route[]): (ctx: ScriptContext) => Step {
  return (ctx) => {
    const msgs = ctx.request.messages;
    let start = -1;
    for (let i = msgs.length - 1; i >= 0; i--) {
      if (msgs[i]?.role === "user" && msgs[i]?.text.trim()) {
        start = i;
        break;
      }
    }
    const userText = start >= 0 ? (msgs[start]?.text ?? "") : "";
    const route = routes.find((r) => userText.includes(r.marker));
    const step = msgs.slice(start + 1).filter((m) => m.role === "assistant").length;
    return route?.steps[step] ?? { text: "done" };
  };
}
