import { execFileSync } from "node:child_process";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** A file's name without its extension (`main.ts` and `main.tsx` in two apps are one name). */
function stem(path: string): string {
  return basename(path).replace(/\.(?:ts|tsx)$/, "");
}

/** A file's concept: its name with each kebab word singular. */
function concept(path: string): string {
  return stem(path)
    .split("-")
    .map((word) => (word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word))
    .join("-");
}

/** Tests are named for the flow they drive, not for one concept, so only source files count. */
function sourceFiles(): string[] {
  const listed = execFileSync(
    "git",
    ["ls-files", "--cached", "--others", "--exclude-standard", "--", "apps", "packages", "test/support"],
    {
      cwd: root,
      encoding: "utf8",
    },
  );
  return listed
    .split("\n")
    .filter((path) => /\.(?:ts|tsx)$/.test(path) && !/\.test\.tsx?$/.test(path) && !path.includes("/dist/"));
}

describe("file names (ARCHITECTURE.md, Naming)", () => {
  it("never tells two files apart by a plural alone", () => {
    const byConcept = new Map<string, Set<string>>();
    for (const path of sourceFiles()) {
      const names = byConcept.get(concept(path)) ?? new Set<string>();
      names.add(path);
      byConcept.set(concept(path), names);
    }
    const clashes = [...byConcept.values()]
      .map((paths) => [...paths])
      .filter((paths) => new Set(paths.map(stem)).size > 1);
    expect(clashes, "rename one of each group so its name says the concept it holds").toEqual([]);
  });
});
