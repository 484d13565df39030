import { describe, expect, it } from "vitest";
import { branchPushEvents } from "./branch-push.ts";

const actor = { login: "octo", isBot: false };
const push = { repoPath: "acme/app", ref: "refs/heads/main", after: "a".repeat(40), actor };

describe("branchPushEvents", () => {
  it("makes a push to a branch one event naming the branch and its new commit", () => {
    expect(branchPushEvents(push)).toEqual([
      { kind: "push", repoPath: "acme/app", branch: "main", commit: "a".repeat(40), actor },
    ]);
    expect(branchPushEvents({ ...push, ref: "refs/heads/feature/x" })[0]).toMatchObject({ branch: "feature/x" });
  });

  it("makes no event of a tag, a deleted branch or an all-zero commit", () => {
    expect(branchPushEvents({ ...push, ref: "refs/tags/v1" })).toEqual([]);
    expect(branchPushEvents({ ...push, deleted: true })).toEqual([]);
    expect(branchPushEvents({ ...push, after: "0".repeat(40) })).toEqual([]);
  });
});
