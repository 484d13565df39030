/** What a comment asks of Cadre: `@<bot> review`, or an instruction for a task or follow-up. */
export type Mention = { kind: "review" } | { kind: "instruction"; text: string };

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The comment without fenced code and quoted lines: a mention there is someone showing, not asking. */
function spokenText(body: string): string {
  return body
    .replace(/```[\s\S]*?(```|$)/g, "")
    .replace(/~~~[\s\S]*?(~~~|$)/g, "")
    .split("\n")
    .filter((line) => !line.trimStart().startsWith(">"))
    .join("\n")
    .replace(/`[^`\n]*`/g, "");
}

/**
 * The first `@<bot>` in a comment (case-insensitive, a whole handle, not an e-mail address) and
 * what follows it. `@cadre review` alone asks for a review; anything else is an instruction.
 */
export function findMention(body: string, botName: string): Mention | null {
  const text = spokenText(body);
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.@/-])@${escape(botName)}(?![A-Za-z0-9_-])`, "i");
  const m = pattern.exec(text);
  if (!m) return null;
  const rest = text.slice(m.index + m[0].length).trim();
  if (/^review[.!]?$/i.test(rest)) return { kind: "review" };
  return { kind: "instruction", text: rest };
}
