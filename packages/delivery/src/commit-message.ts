/** Git's conventions for a subject line: one line, at most this many characters. */
export const SUBJECT_WIDTH = 72;
/** Body lines are wrapped at this width. */
export const BODY_WIDTH = 72;

/** A first word that is code (`add()`, `parseDate`, `src/app.ts`, `user_id`) keeps its case. */
function looksLikeCode(text: string): boolean {
  const word = text.split(" ")[0] ?? "";
  return /[()[\]{}_./\\`$#:<>=]|[a-z][A-Z]/.test(word);
}

/**
 * A title as a commit subject: its first line, spaces collapsed, no trailing period or
 * ellipsis, the first letter in capitals (unless the first word is code), and at most 72
 * characters (cut at a word, with "…").
 */
export function commitSubject(title: string, width = SUBJECT_WIDTH): string {
  const line = (title.trim().split(/\r?\n/)[0] ?? "").replace(/\s+/g, " ").trim();
  const bare = line.replace(/(\.{3}|…|[.,;:])+$/u, "").trim();
  const subject = looksLikeCode(bare) ? bare : bare.charAt(0).toUpperCase() + bare.slice(1);
  if (subject.length <= width) return subject;
  const cut = subject.slice(0, width - 1);
  const space = cut.lastIndexOf(" ");
  const head = (space > width / 2 ? cut.slice(0, space) : cut).replace(/[\s.,;:]+$/u, "");
  return `${head}…`;
}

function wrapLine(line: string, width: number): string[] {
  const indent = /^(\s*(?:[-*+]|\d+[.)])?\s*)/.exec(line)?.[1] ?? "";
  const hanging = " ".repeat(indent.length);
  const words = line.slice(indent.length).split(/\s+/).filter(Boolean);
  const out: string[] = [];
  let current = indent;
  for (const word of words) {
    const prefix = out.length === 0 ? indent : hanging;
    if (current.length > prefix.length && current.length + 1 + word.length > width) {
      out.push(current);
      current = hanging + word;
    } else current = current.length > prefix.length ? `${current} ${word}` : prefix + word;
  }
  out.push(current);
  return out;
}

/**
 * Wraps prose at `width` columns. Fenced code blocks, indented code, tables and lines that hold
 * a single long word (a URL, a path) are left as they are; list items keep a hanging indent.
 */
export function wrapText(text: string, width = BODY_WIDTH): string {
  const out: string[] = [];
  let fenced = false;
  for (const raw of text.replace(/\r\n?/g, "\n").split("\n")) {
    const line = raw.replace(/\s+$/, "");
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const verbatim = fenced || /^(\s{4}|\t|\s*[|#>])/.test(line) || /^\s*```/.test(line);
    if (verbatim || line.length <= width) out.push(line);
    else out.push(...wrapLine(line, width));
  }
  return out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export interface DeliveryMessageInput {
  /** The task's title (or a follow-up's instruction): becomes the subject. */
  title: string;
  /** The agent's summary: becomes the body. */
  summary: string | null;
  /** A line saying what part of the change this is, when not all of it. */
  note?: string | undefined;
  taskId: string;
}

/** The message of a delivered commit: subject, wrapped body, and the `Cadre-Task` trailer. */
export function deliveryMessage(input: DeliveryMessageInput): string {
  const subject = commitSubject(input.title) || "Cadre task";
  const body = wrapText(input.summary ?? "");
  const parts = [subject, body, input.note ? wrapText(input.note) : "", `Cadre-Task: ${input.taskId}`];
  return `${parts.filter(Boolean).join("\n\n")}\n`;
}
