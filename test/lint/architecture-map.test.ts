import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const architecture = readFileSync(`${root}/ARCHITECTURE.md`, "utf8");

/** The "Where to change what" section: from its heading to the next one. */
function section(heading: string): string {
  const start = architecture.indexOf(`## ${heading}\n`);
  if (start < 0) throw new Error(`ARCHITECTURE.md has no '## ${heading}' section`);
  const end = architecture.indexOf("\n## ", start + 1);
  return architecture.slice(start, end < 0 ? undefined : end);
}

describe("ARCHITECTURE.md's map", () => {
  const rows = section("Where to change what")
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| to change") && !line.startsWith("| ---"));
  const paths = rows.flatMap((row) => [...row.matchAll(/`([^`]+\.(?:ts|tsx|js|md))`/g)].map((match) => match[1] ?? ""));

  it("names at least twenty concerns, each with a file", () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    for (const row of rows) expect(row, row).toMatch(/`[^`]+\.(?:ts|tsx|js|md)`/);
  });

  it.each(paths)("%s exists", (path) => {
    expect(existsSync(`${root}/${path}`)).toBe(true);
  });
});

describe("ARCHITECTURE.md's decisions", () => {
  /** Each "- **…**" bullet with its continuation lines. */
  const decisions = section("Decisions")
    .split(/\n(?=- \*\*)/)
    .filter((text) => text.startsWith("- **"));
  const linked = (text: string) =>
    [...text.matchAll(/`((?:apps|packages|scripts|bench|test|docs|deploy)\/[^`\s]+\.(?:ts|tsx|js|mjs|md))`/g)].map(
      (match) => match[1] ?? "",
    );

  it("each link the files that carry them", () => {
    expect(decisions.length).toBeGreaterThanOrEqual(5);
    for (const decision of decisions) expect(linked(decision), decision.split("\n")[0]).not.toEqual([]);
  });

  it.each(decisions.flatMap(linked))("%s exists", (path) => {
    expect(existsSync(`${root}/${path}`)).toBe(true);
  });
});
