import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { LineReader } from "./line-reader.ts";
import { answerFor, pickAnswer } from "./pick-answer.ts";
import { renderPending, shellWord } from "./render-pending.ts";
import type { Attempt } from "@cadre/protocol";

const QUESTION = { question: "Should add() also accept strings?", options: ["yes, convert them", "no, numbers only"] };

function output(): { lines: string[]; o: { out: (s: string) => void; err: (s: string) => void; isTTY: boolean } } {
  const lines: string[] = [];
  return { lines, o: { out: (s) => lines.push(s), err: (s) => lines.push(s), isTTY: true } };
}

describe("answering on a terminal", () => {
  it("a number picks that option; other text is the answer; an out-of-range number is taken as typed", () => {
    expect(answerFor(QUESTION, " 2 ")).toBe("no, numbers only");
    expect(answerFor(QUESTION, "only integers")).toBe("only integers");
    expect(answerFor(QUESTION, "7")).toBe("7");
  });

  it("offers the options, re-asks on an empty line, and joins several answers one per line", async () => {
    const input = new PassThrough();
    const reader = new LineReader(input);
    const { lines, o } = output();
    input.write("\n1\nkeep both\n");
    const second = { question: "Keep the old API?", options: ["yes", "no"] };
    expect(await pickAnswer([QUESTION, second], o, reader)).toBe(
      "Should add() also accept strings? yes, convert them\nKeep the old API? keep both",
    );
    expect(lines).toContain("  2) no, numbers only");
    reader.close();
  });

  it("returns null when input ends before an answer", async () => {
    const input = new PassThrough();
    const reader = new LineReader(input);
    input.end();
    expect(await pickAnswer([QUESTION], output().o, reader)).toBeNull();
  });
});

describe("printing what a waiting task asks", () => {
  it("names the question, its options and the exact answer command", () => {
    const attempt = { index: 1, id: "att_1" } as Attempt;
    const text = renderPending(
      "task_abc",
      [{ attempt, waitingFor: "answer", questions: [QUESTION], plan: null }],
      false,
    );
    expect(text).toContain("Should add() also accept strings?");
    expect(text).toContain("2) no, numbers only");
    expect(text).toContain("cadre answer task_abc 'yes, convert them'");
  });

  it("quotes only what the shell would split", () => {
    expect(shellWord("yes")).toBe("yes");
    expect(shellWord("it's fine")).toBe(`'it'\\''s fine'`);
  });
});
