/** What the user was looking at when starting a task, offered to the agent as context. */
export interface EditorContext {
  /** Path relative to the repository root. */
  path: string;
  /** The selected text, or null for the whole file (referenced by path only). */
  selection: { text: string; startLine: number; endLine: number } | null;
}

/** Files larger than this are referenced by path: the agent can read them in its sandbox. */
const MAX_SELECTION_CHARS = 20_000;

/** The prompt sent to the server: the user's words, then the context they chose to include. */
export function promptWithContext(prompt: string, context: EditorContext | null): string {
  if (!context) return prompt;
  if (!context.selection) return `${prompt}\n\nContext: the file ${context.path}.`;
  const { text, startLine, endLine } = context.selection;
  const clipped =
    text.length > MAX_SELECTION_CHARS ? `${text.slice(0, MAX_SELECTION_CHARS)}\n[... selection truncated ...]` : text;
  const fence = clipped.includes("```") ? "````" : "```";
  return `${prompt}\n\nContext: ${context.path}, lines ${startLine}-${endLine}:\n${fence}\n${clipped}\n${fence}`;
}
