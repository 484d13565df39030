import { describe, expect, it } from "vitest";
import { parseGitlabWebhook, verifyGitlabWebhook } from "./gitlab-webhook.ts";
import { gitlabAdapter } from "./gitlab-adapter.ts";

const SECRET = "gitlab-secret-token";
const UUID = "3b4a7f6e-1a2b-4c3d-9e8f-0a1b2c3d4e5f";

function headers(overrides: Record<string, string | undefined> = {}) {
  return { "x-gitlab-event": "Note Hook", "x-gitlab-token": SECRET, "idempotency-key": UUID, ...overrides };
}

const project = { id: 7, path_with_namespace: "acme/tools/calc", web_url: "https://gl.example/acme/tools/calc" };
const user = { id: 3, username: "alice", name: "Alice" };

describe("GitLab webhooks", () => {
  it("accepts the secret token in X-Gitlab-Token and refuses a wrong, missing or longer one", async () => {
    expect(await verifyGitlabWebhook(headers(), "{}", SECRET)).toEqual({
      ok: true,
      deliveryId: UUID,
      event: "Note Hook",
    });
    expect(await verifyGitlabWebhook(headers({ "x-gitlab-token": "guess" }), "{}", SECRET)).toMatchObject({
      ok: false,
    });
    expect(await verifyGitlabWebhook(headers({ "x-gitlab-token": `${SECRET}x` }), "{}", SECRET)).toMatchObject({
      ok: false,
    });
    expect(await verifyGitlabWebhook(headers({ "x-gitlab-token": undefined }), "{}", SECRET)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/missing/),
    });
    expect(await verifyGitlabWebhook(headers(), "{}", "")).toMatchObject({ ok: false });
  });

  it("knows a delivery by Idempotency-Key (stable across retries), else by X-Gitlab-Event-UUID", async () => {
    const fallback = headers({ "idempotency-key": undefined, "x-gitlab-event-uuid": "e-1" });
    expect(await verifyGitlabWebhook(fallback, "{}", SECRET)).toMatchObject({ ok: true, deliveryId: "e-1" });
    expect(await verifyGitlabWebhook(headers({ "idempotency-key": "../../x" }), "{}", SECRET)).toMatchObject({
      ok: false,
    });
  });

  it("turns a diff note into a review comment with its file and line, and skips system notes", () => {
    const note = {
      object_kind: "note",
      user,
      project,
      object_attributes: {
        id: 11,
        note: "@cadre fix this line",
        noteable_type: "MergeRequest",
        created_at: "2026-01-01T00:00:00Z",
        url: "https://gl.example/acme/tools/calc/-/merge_requests/2#note_11",
        type: "DiffNote",
        position: { new_path: "calc.mjs", new_line: 6 },
      },
      merge_request: { iid: 2 },
    };
    expect(parseGitlabWebhook("Note Hook", note)).toEqual([
      {
        kind: "comment_created",
        repoPath: "acme/tools/calc",
        thread: { kind: "change_request", number: 2 },
        comment: expect.objectContaining({ id: "11", kind: "review_comment", file: "calc.mjs", line: 6 }),
      },
    ]);
    const system = { ...note, object_attributes: { ...note.object_attributes, system: true } };
    expect(parseGitlabWebhook("Note Hook", system)).toEqual([]);
    expect(parseGitlabWebhook("Tag Push Hook", note)).toEqual([]);
  });

  it("a Push Hook to a branch is a push by its user_username; tags and deletions are none", () => {
    const push = {
      object_kind: "push",
      ref: "refs/heads/main",
      before: "1".repeat(40),
      after: "2".repeat(40),
      user_id: 3,
      user_username: "alice",
      project,
    };
    expect(parseGitlabWebhook("Push Hook", push)).toEqual([
      {
        kind: "push",
        repoPath: "acme/tools/calc",
        branch: "main",
        commit: "2".repeat(40),
        actor: { login: "alice", isBot: false },
      },
    ]);
    expect(parseGitlabWebhook("Push Hook", { ...push, after: "0".repeat(40) })).toEqual([]);
    expect(parseGitlabWebhook("Push Hook", { ...push, ref: "refs/tags/v1" })).toEqual([]);
  });

  it("an Issue Hook reports the labels its changes added, not those already there", () => {
    const label = (title: string) => ({ id: title.length, title, color: "#428BCA" });
    const issue = {
      object_kind: "issue",
      user,
      project,
      object_attributes: {
        iid: 4,
        title: "add() subtracts",
        description: "",
        url: "https://gl.example/acme/tools/calc/-/issues/4",
        created_at: "2026-01-01T00:00:00Z",
        action: "update",
      },
      changes: { labels: { previous: [label("bug")], current: [label("bug"), label("cadre-fix")] } },
    };
    expect(parseGitlabWebhook("Issue Hook", issue)).toEqual([
      {
        kind: "issue_labelled",
        repoPath: "acme/tools/calc",
        thread: { kind: "issue", number: 4 },
        label: "cadre-fix",
        title: "add() subtracts",
        url: "https://gl.example/acme/tools/calc/-/issues/4",
      },
    ]);
    expect(parseGitlabWebhook("Issue Hook", { ...issue, changes: {} })).toEqual([]);
  });

  it("a failed pipeline is a failed check named after its failed jobs", () => {
    const pipeline = {
      object_kind: "pipeline",
      user,
      project,
      object_attributes: { id: 90, sha: "abc", status: "failed" },
      merge_request: { iid: 2 },
      builds: [
        { id: 1, name: "test", status: "failed" },
        { id: 2, name: "build", status: "success" },
      ],
    };
    expect(parseGitlabWebhook("Pipeline Hook", pipeline)).toEqual([
      {
        kind: "check_completed",
        repoPath: "acme/tools/calc",
        check: expect.objectContaining({ id: "pipeline:90", name: "test", failed: true, changeRequests: [2] }),
      },
    ]);
    const running = { ...pipeline, object_attributes: { ...pipeline.object_attributes, status: "running" } };
    expect(parseGitlabWebhook("Pipeline Hook", running)).toEqual([]);
  });

  it("reads nested groups from clone URLs and the instance from the API URL", () => {
    expect(gitlabAdapter.repoPathFromUrl("https://gitlab.example.com/acme/tools/calc.git")).toBe("acme/tools/calc");
    expect(gitlabAdapter.repoPathFromUrl("git@gitlab.example.com:acme/calc.git")).toBe("acme/calc");
    expect(gitlabAdapter.webUrlFor("https://gitlab.example.com/api/v4/")).toBe("https://gitlab.example.com");
    expect(gitlabAdapter.changeRequestRef(4)).toBe("refs/merge-requests/4/head");
  });
});
