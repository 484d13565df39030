import { describe, expect, it } from "vitest";
import { parseFindings, reachesThreshold } from "./review-findings.ts";

describe("parseFindings", () => {
  it("takes the last fenced block that holds findings", () => {
    const answer =
      'Example format:\n```json\n{"not": "findings"}\n```\nResult:\n```json\n[{"file":"a.ts","line":4,"severity":"critical","explanation":"SQL injection"}]\n```';
    expect(parseFindings(answer)).toEqual([
      { file: "a.ts", line: 4, severity: "critical", explanation: "SQL injection" },
    ]);
  });

  it("accepts an object with a findings array, path/message aliases and a missing line", () => {
    expect(parseFindings('```\n{"findings":[{"path":"b.ts","severity":"Error","message":"off by one"}]}\n```')).toEqual(
      [{ file: "b.ts", line: null, severity: "high", explanation: "off by one" }],
    );
  });

  it("falls back to a bare JSON array in prose, and tells an empty review from an unreadable one", () => {
    expect(parseFindings("Nothing found: []")).toEqual([]);
    expect(parseFindings("I could not review this.")).toBeNull();
    expect(parseFindings('```json\n[{"file":"a","severity":"catastrophic","explanation":"?"}]\n```')).toBeNull();
  });

  it("keeps a suggested replacement for the line when the model gave one", () => {
    const answer =
      '```json\n[{"file":"a.mjs","line":2,"severity":"high","explanation":"subtracts","suggestion":"  return a + b;\\n"}]\n```';
    expect(parseFindings(answer)).toEqual([
      { file: "a.mjs", line: 2, severity: "high", explanation: "subtracts", suggestion: "  return a + b;" },
    ]);
  });

  it("compares severities against a threshold", () => {
    const f = [{ file: "a", line: 1, severity: "medium" as const, explanation: "" }];
    expect(reachesThreshold(f, "medium")).toBe(true);
    expect(reachesThreshold(f, "high")).toBe(false);
  });
});
