import { describe, expect, it } from "vitest";
import { mayConflict } from "./changed-paths.ts";

describe("mayConflict", () => {
  it("is false only for disjoint changes", () => {
    expect(mayConflict(["a/x.ts"], ["b/y.ts"])).toBe(false);
    expect(mayConflict(["a/x.ts"], ["a/x.ts"])).toBe(true);
    // a file on one side where the other side makes a directory
    expect(mayConflict(["a"], ["a/y.ts"])).toBe(true);
    expect(mayConflict(["a/b"], ["a/b/c/d.ts"])).toBe(true);
    // siblings in one directory do not conflict
    expect(mayConflict(["a/x.ts"], ["a/y.ts"])).toBe(false);
    expect(mayConflict([], ["a"])).toBe(false);
  });
});
