import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { giteaAdapter } from "./gitea-adapter.ts";
import { parseGiteaWebhook, verifyGiteaWebhook } from "./gitea-webhook.ts";

const SECRET = "gitea-secret";
const sign = (body: string, secret = SECRET) => createHmac("sha256", secret).update(body).digest("hex");
const body = JSON.stringify({ action: "created" });

describe("Gitea and Forgejo webhooks", () => {
  it("accepts X-Gitea-Signature (hex HMAC-SHA256 of the body) and refuses a wrong or missing one", async () => {
    const headers = { "x-gitea-event": "issue_comment", "x-gitea-delivery": "d-1", "x-gitea-signature": sign(body) };
    expect(await verifyGiteaWebhook(headers, body, SECRET)).toEqual({
      ok: true,
      deliveryId: "d-1",
      event: "issue_comment",
    });
    expect(
      await verifyGiteaWebhook({ ...headers, "x-gitea-signature": sign(body, "other") }, body, SECRET),
    ).toMatchObject({ ok: false });
    expect(await verifyGiteaWebhook({ ...headers, "x-gitea-signature": "00" }, body, SECRET)).toMatchObject({
      ok: false,
    });
    expect(await verifyGiteaWebhook(headers, `${body} `, SECRET)).toMatchObject({ ok: false });
    expect(await verifyGiteaWebhook({ ...headers, "x-gitea-signature": undefined }, body, SECRET)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
  });

  it("accepts Forgejo's X-Forgejo-* headers, and a forged Forgejo signature is refused even beside a good Gitea one", async () => {
    const forgejo = { "x-forgejo-event": "issues", "x-forgejo-delivery": "f-1", "x-forgejo-signature": sign(body) };
    expect(await verifyGiteaWebhook(forgejo, body, SECRET)).toEqual({ ok: true, deliveryId: "f-1", event: "issues" });
    const mixed = { ...forgejo, "x-forgejo-signature": sign(body, "other"), "x-gitea-signature": sign(body) };
    expect(await verifyGiteaWebhook(mixed, body, SECRET)).toMatchObject({ ok: false });
  });

  it("a failed commit status is a failed check; a pending one is nothing", () => {
    const status = {
      id: 5,
      sha: "abc",
      state: "failure",
      context: "ci / test (push)",
      description: "Failing after 3s",
      target_url: "https://gitea.example/acme/calc/actions/runs/1",
      repository: { full_name: "acme/calc" },
      sender: { id: 9, login: "gitea-actions" },
    };
    expect(parseGiteaWebhook("status", status)).toEqual([
      {
        kind: "check_completed",
        repoPath: "acme/calc",
        check: expect.objectContaining({ name: "ci / test (push)", failed: true, source: "status", commit: "abc" }),
      },
    ]);
    expect(parseGiteaWebhook("status", { ...status, state: "pending" })).toEqual([]);
  });

  it("a push to a branch is a push by its sender; label_updated reports the issue's labels", () => {
    const repository = { full_name: "acme/calc" };
    const sender = { id: 9, login: "alice" };
    const push = { ref: "refs/heads/main", before: "1".repeat(40), after: "2".repeat(40), repository, sender };
    expect(parseGiteaWebhook("push", push)).toEqual([
      {
        kind: "push",
        repoPath: "acme/calc",
        branch: "main",
        commit: "2".repeat(40),
        actor: expect.objectContaining({ login: "alice" }),
      },
    ]);
    expect(parseGiteaWebhook("push", { ...push, after: "0".repeat(40) })).toEqual([]);
    const issue = {
      number: 3,
      title: "add() subtracts",
      body: "",
      user: sender,
      html_url: "https://gitea.example/acme/calc/issues/3",
      created_at: "2026-01-01T00:00:00Z",
      labels: [{ id: 1, name: "cadre-fix" }],
    };
    expect(parseGiteaWebhook("issues", { action: "label_updated", issue, repository, sender })).toEqual([
      {
        kind: "issue_labelled",
        repoPath: "acme/calc",
        thread: { kind: "issue", number: 3 },
        label: "cadre-fix",
        title: "add() subtracts",
        url: "https://gitea.example/acme/calc/issues/3",
      },
    ]);
  });

  it("knows the web URL from the API URL and fetches pull request heads from refs/pull/N/head", () => {
    expect(giteaAdapter.webUrlFor("https://codeberg.org/api/v1")).toBe("https://codeberg.org");
    expect(giteaAdapter.repoPathFromUrl("https://codeberg.org/acme/calc.git")).toBe("acme/calc");
    expect(giteaAdapter.changeRequestRef(3)).toBe("refs/pull/3/head");
  });
});
