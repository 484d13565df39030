import { forgeNouns } from "@cadre/protocol";
import type { CheckResult, Discussion } from "@cadre/forge";
import { describe, expect, it } from "vitest";
import { checkFollowupText, mentionPrompt } from "./forge-prompt.ts";

const check: CheckResult = {
  id: "7",
  name: "ci / lint (push)",
  source: "status",
  commit: "a".repeat(40),
  failed: true,
  conclusion: "failure",
  title: "Failing after 12s",
  summary: null,
  text: null,
  url: "https://gitea.example/acme/calc/actions/runs/3/jobs/0",
  changeRequests: [],
  reporter: "gitea-actions",
};

describe("forge prompts", () => {
  it("a CI follow-up carries the end of the job's log, or says plainly that none was available and links the check", () => {
    const nouns = forgeNouns("gitea");
    const withLog = checkFollowupText({ check, log: "FAIL lint", round: 1, max: 2, nouns });
    expect(withLog).toContain("The end of the job's log:\n```\nFAIL lint\n```");
    expect(withLog).toContain(`More: ${check.url}`);
    const without = checkFollowupText({ check, log: null, round: 1, max: 2, nouns });
    expect(without).toContain(`No log of this job was available from the forge`);
    expect(without).toContain(`the check's page: ${check.url}`);
    expect(without).not.toContain("The end of the job's log");
  });

  it("names the thread as its forge does: merge request !N on GitLab, pull request #N elsewhere", () => {
    const discussion: Discussion = {
      thread: { kind: "change_request", number: 4 },
      title: "Speed up mul()",
      body: "",
      author: { login: "alice", isBot: false },
      url: "https://gl.example/acme/calc/-/merge_requests/4",
      comments: [],
    };
    const input = { instruction: "", forgeTitle: "GitLab", repoPath: "acme/calc", discussion, author: "alice" };
    const gitlab = mentionPrompt({ ...input, nouns: forgeNouns("gitlab") });
    expect(gitlab).toContain("Resolve merge request !4.");
    expect(gitlab).toContain("Merge request !4: Speed up mul()");
    expect(gitlab).not.toContain("pull request");
    expect(mentionPrompt({ ...input, nouns: forgeNouns("github") })).toContain("Pull request #4: Speed up mul()");
    expect(checkFollowupText({ check, log: null, round: 1, max: 2, nouns: forgeNouns("gitlab") })).toContain(
      "the head of the merge request",
    );
  });
});
