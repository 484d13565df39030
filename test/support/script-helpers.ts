import type { ScriptContext, Step } from "./scripted-model/index.ts";

/** The first user message (the task prompt) of the conversation. */
export function promptOf(ctx: ScriptContext): string {
  return ctx.request.messages.find((m) => m.role === "user")?.text ?? "";
}

/** The latest user message (prompt, follow-up, answer or plan decision). */
export function lastUserText(ctx: ScriptContext): string {
  return [...ctx.request.messages].reverse().find((m) => m.role === "user")?.text ?? "";
}

/** Replies the model already gave since the latest user message: the step within the current turn. */
export function turnStep(ctx: ScriptContext): number {
  const msgs = ctx.request.messages;
  let lastUser = -1;
  msgs.forEach((m, i) => {
    if (m.role === "user") lastUser = i;
  });
  return msgs.slice(lastUser + 1).filter((m) => m.role === "assistant").length;
}

export function patchStep(patch: string): Step {
  return { toolCalls: [{ name: "apply_patch", input: patch }] };
}

export function shellStep(command: string, text?: string): Step {
  return { ...(text ? { text } : {}), toolCalls: [{ name: "shell", input: { command } }] };
}

export function updateFile(path: string, anchor: string, from: string, to: string): string {
  return `*** Begin Patch\n*** Update File: ${path}\n@@ ${anchor}\n-${from}\n+${to}\n*** End Patch\n`;
}

export function addFile(path: string, content: string): string {
  return `*** Begin Patch\n*** Add File: ${path}\n${content
    .replace(/\n$/, "")
    .split("\n")
    .map((l) => `+${l}`)
    .join("\n")}\n*** End Patch\n`;
}
