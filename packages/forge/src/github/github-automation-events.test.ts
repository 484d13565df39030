import { describe, expect, it } from "vitest";
import { examplePayload } from "../../../../test/support/github-double/webhooks.ts";
import { parseGithubWebhook } from "./github-webhook.ts";

/** The events only automations start on, read from GitHub's own example payloads. */
describe("GitHub webhooks for automations", () => {
  it("a push to a branch is a push event with the branch and the new head; tags and deletions are none", () => {
    const push = examplePayload("push");
    const events = parseGithubWebhook("push", { ...push, ref: "refs/heads/main", after: "b".repeat(40) });
    expect(events).toEqual([expect.objectContaining({ kind: "push", branch: "main", commit: "b".repeat(40) })]);
    expect(parseGithubWebhook("push", { ...push, ref: "refs/tags/v1" })).toEqual([]);
    expect(
      parseGithubWebhook("push", { ...push, ref: "refs/heads/gone", deleted: true, after: "0".repeat(40) }),
    ).toEqual([]);
  });

  it("an issue labelled is an issue_labelled event with the label; a pull request labelled is none", () => {
    const labelled = examplePayload("issues", "labeled") as { issue: Record<string, unknown>; label?: unknown };
    const events = parseGithubWebhook("issues", { ...labelled, label: { name: "cadre-fix" } });
    expect(events).toEqual([
      expect.objectContaining({
        kind: "issue_labelled",
        label: "cadre-fix",
        thread: { kind: "issue", number: labelled.issue.number },
      }),
    ]);
    const onPull = { ...labelled, issue: { ...labelled.issue, pull_request: { url: "x" } }, label: { name: "x" } };
    expect(parseGithubWebhook("issues", onPull)).toEqual([]);
  });
});
