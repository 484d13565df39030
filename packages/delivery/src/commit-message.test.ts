import { describe, expect, it } from "vitest";
import { commitSubject, deliveryMessage, wrapText } from "./commit-message.ts";

describe("delivered commit messages", () => {
  it("makes a task title a git subject: one line, capitalised (not code), no trailing period, at most 72 characters", () => {
    expect(commitSubject("fix the date parser.")).toBe("Fix the date parser");
    expect(commitSubject("  the date parser rejects ISO weeks;  fix it\nand add a test")).toBe(
      "The date parser rejects ISO weeks; fix it",
    );
    // A first word that is code keeps its case.
    expect(commitSubject("add() subtracts; fix it")).toBe("add() subtracts; fix it");
    expect(commitSubject("parseDate rejects ISO weeks")).toBe("parseDate rejects ISO weeks");
    expect(commitSubject("src/app.ts: drop the dead branch")).toBe("src/app.ts: drop the dead branch");
    expect(commitSubject("add a test for the parser")).toBe("Add a test for the parser");
    expect(commitSubject("re-run the flaky test")).toBe("Re-run the flaky test");
    const long = commitSubject(
      "make the user list endpoint paginate with cursors and keep the old offset parameter working for a while...",
    );
    expect(long.length).toBeLessThanOrEqual(72);
    expect(long).toBe("Make the user list endpoint paginate with cursors and keep the old…");
  });

  it("wraps the summary's prose at 72 columns and keeps code, lists and long words intact", () => {
    const text = wrapText(
      [
        "I changed the parser so that ISO week dates such as 2024-W05-3 are accepted, and added a test for the edge cases around the new year.",
        "",
        "- a list item that is long enough to need wrapping onto a second line of the message body",
        "```",
        "const veryLongLineOfCodeThatMustNotBeWrappedEvenThoughItIsLongerThanSeventyTwoCharacters = 1;",
        "```",
        "https://example.com/a/very/long/url/that/cannot/be/broken/anywhere/without/breaking/it/x",
      ].join("\n"),
    );
    const lines = text.split("\n");
    expect(lines[0]).toBe("I changed the parser so that ISO week dates such as 2024-W05-3 are");
    expect(lines.find((l) => l.startsWith("- a list"))?.length).toBeLessThanOrEqual(72);
    expect(lines).toContain("  the message body");
    expect(lines).toContain(
      "const veryLongLineOfCodeThatMustNotBeWrappedEvenThoughItIsLongerThanSeventyTwoCharacters = 1;",
    );
    expect(lines).toContain("https://example.com/a/very/long/url/that/cannot/be/broken/anywhere/without/breaking/it/x");
  });

  it("ends with the Cadre-Task trailer in its own paragraph", () => {
    expect(
      deliveryMessage({ title: "fix add()", summary: "Fixed add.", note: "Delivers 1 of 2 hunks.", taskId: "task_1" }),
    ).toBe("Fix add()\n\nFixed add.\n\nDelivers 1 of 2 hunks.\n\nCadre-Task: task_1\n");
    expect(deliveryMessage({ title: "fix add()", summary: null, taskId: "task_1" })).toBe(
      "Fix add()\n\nCadre-Task: task_1\n",
    );
  });
});
