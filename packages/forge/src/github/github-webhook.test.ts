import { describe, expect, it } from "vitest";
import { examplePayload, sign } from "../../../../test/support/github-double/webhooks.ts";
import { parseGithubWebhook, verifyGithubWebhook } from "./github-webhook.ts";

const SECRET = "webhook-secret";

function headers(body: string, overrides: Record<string, string | undefined> = {}) {
  return {
    "x-github-event": "issue_comment",
    "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
    "x-hub-signature-256": sign(SECRET, body),
    ...overrides,
  };
}

describe("GitHub webhooks", () => {
  it("accepts a delivery signed with the secret and refuses a wrong or missing signature", async () => {
    const body = JSON.stringify(examplePayload("issue_comment", "created"));
    expect(await verifyGithubWebhook(headers(body), body, SECRET)).toEqual({
      ok: true,
      deliveryId: "72d3162e-cc78-11e3-81ab-4c9367dc0958",
      event: "issue_comment",
    });
    expect(await verifyGithubWebhook(headers(body), body, "other-secret")).toMatchObject({ ok: false });
    expect(await verifyGithubWebhook(headers(body), `${body} `, SECRET)).toMatchObject({ ok: false });
    expect(await verifyGithubWebhook(headers(body, { "x-hub-signature-256": undefined }), body, SECRET)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
    expect(
      await verifyGithubWebhook(headers(body, { "x-hub-signature-256": "sha256=00" }), body, SECRET),
    ).toMatchObject({
      ok: false,
    });
  });

  it("turns GitHub's example payloads into Cadre's events", () => {
    const comment = parseGithubWebhook("issue_comment", examplePayload("issue_comment", "created"));
    expect(comment).toEqual([
      expect.objectContaining({
        kind: "comment_created",
        thread: expect.objectContaining({ kind: expect.any(String) }),
      }),
    ]);
    expect(parseGithubWebhook("issues", examplePayload("issues", "opened"))[0]).toMatchObject({
      kind: "comment_created",
      thread: { kind: "issue" },
      comment: { kind: "description" },
    });
    expect(parseGithubWebhook("pull_request", examplePayload("pull_request", "synchronize"))[0]).toMatchObject({
      kind: "change_request",
      action: "updated",
    });
    const closed = parseGithubWebhook("pull_request", examplePayload("pull_request", "closed"))[0];
    expect(closed).toMatchObject({ kind: "change_request", action: "closed" });
    expect(
      parseGithubWebhook("pull_request_review_comment", examplePayload("pull_request_review_comment", "created"))[0],
    ).toMatchObject({
      kind: "comment_created",
      thread: { kind: "change_request" },
      comment: { kind: "review_comment", file: expect.any(String) },
    });
    expect(parseGithubWebhook("check_run", examplePayload("check_run", "completed"))[0]).toMatchObject({
      kind: "check_completed",
      check: { source: "check" },
    });
    expect(parseGithubWebhook("ping", examplePayload("ping"))).toEqual([{ kind: "ping" }]);
    expect(parseGithubWebhook("star", {})).toEqual([]);
    expect(parseGithubWebhook("issue_comment", examplePayload("issue_comment", "deleted"))).toEqual([]);
  });
});
