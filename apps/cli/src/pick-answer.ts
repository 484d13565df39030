import type { Question } from "@cadre/protocol";
import type { Output } from "./cli-context.ts";
import type { LineReader } from "./line-reader.ts";

/** What a typed line means for one question: a number picks that option, anything else is the answer itself. */
export function answerFor(question: Question, line: string): string {
  const typed = line.trim();
  const pick = /^\d+$/.test(typed) ? question.options[Number(typed) - 1] : undefined;
  return pick ?? typed;
}

/**
 * Asks each question on the terminal with its options numbered; returns the answer text to send
 * (one question: the answer; several: one line per question), or null when input ended.
 */
export async function pickAnswer(
  questions: readonly Question[],
  o: Output,
  reader: LineReader,
): Promise<string | null> {
  const answers: string[] = [];
  for (const q of questions) {
    o.err(q.question);
    for (const [i, option] of q.options.entries()) o.err(`  ${i + 1}) ${option}`);
    let answer = "";
    while (!answer) {
      o.err(`answer (1-${q.options.length}, or type your own): `);
      const line = await reader.next();
      if (line === null) return null;
      answer = answerFor(q, line);
    }
    answers.push(questions.length > 1 ? `${q.question} ${answer}` : answer);
  }
  return answers.join("\n");
}
