import { describe, expect, it } from "vitest";
import { ErrorCode, ErrorEnvelope, HTTP_STATUS } from "./errors.ts";
import { Event } from "./events.ts";
import { BranchName, GitRef, Id, ModelName, RepoPath } from "./ids.ts";
import { CreateRepo } from "./repo.ts";
import { routes } from "./routes.ts";
import { CreateTask } from "./task.ts";

const accepts = (schema: { safeParse(value: unknown): { success: boolean } }, value: unknown): boolean =>
  schema.safeParse(value).success;

describe("input rules for refs, branches and paths", () => {
  it.each(["main", "feature/x-1", "v1.2.3", "HEAD~2", "main^", "main@{1}", "a".repeat(40)])(
    "GitRef accepts %s",
    (ref) => expect(accepts(GitRef, ref)).toBe(true),
  );
  it.each([
    "",
    "-x",
    "--upload-pack=evil",
    "a..b",
    "a//b",
    "a/",
    "x.lock",
    "x.",
    "a b",
    "a@{-1}",
    "a\0b",
    "x".repeat(256),
  ])("GitRef refuses %j", (ref) => expect(accepts(GitRef, ref)).toBe(false));
  it("BranchName refuses revision syntax a ref allows", () => {
    expect(accepts(BranchName, "topic/one")).toBe(true);
    for (const name of ["HEAD~1", "main^", "main@{1}"]) expect(accepts(BranchName, name)).toBe(false);
  });
  it("RepoPath keeps paths inside the tree and away from options", () => {
    for (const path of ["src/a.ts", "a b/c", ".github/x"]) expect(accepts(RepoPath, path)).toBe(true);
    for (const path of ["/etc/passwd", "-rf", "../x", "a/../../b", "a\0b", ""])
      expect(accepts(RepoPath, path)).toBe(false);
  });
  it("Id and ModelName take only their own shapes", () => {
    expect(accepts(Id, "task_abc123")).toBe(true);
    for (const id of ["task", "../x", "Task_1", "task_a-b"]) expect(accepts(Id, id)).toBe(false);
    expect(accepts(ModelName, "openai/gpt-5-codex")).toBe(true);
    for (const name of ["gpt-5", "openai/", "Open/x", "a/b c"]) expect(accepts(ModelName, name)).toBe(false);
  });
});

describe("request bodies", () => {
  it("CreateTask fills its defaults and refuses what the server must never see", () => {
    expect(CreateTask.parse({ prompt: "fix it", repo: "calc" })).toMatchObject({
      attempts: 1,
      mode: "code",
      priority: 0,
      queueBehindConflicts: false,
    });
    for (const body of [
      { prompt: "   ", repo: "calc" },
      { prompt: "x", repo: "calc", attempts: 0 },
      { prompt: "x", repo: "calc", attempts: 9 },
      { prompt: "x", repo: "calc", baseRef: "--output=/tmp/x" },
      { prompt: "x", repo: "calc", unknown: true },
      { prompt: "x" },
    ])
      expect(accepts(CreateTask, body)).toBe(false);
  });
  it("CreateRepo refuses an origin that git could read as an option, and unknown fields", () => {
    expect(accepts(CreateRepo, { origin: "https://example.com/a.git", name: "a" })).toBe(true);
    expect(accepts(CreateRepo, { origin: "--upload-pack=evil" })).toBe(false);
    expect(accepts(CreateRepo, { origin: "/srv/a", name: "repo_looks_like_an_id" })).toBe(false);
    expect(accepts(CreateRepo, { origin: "/srv/a", extra: 1 })).toBe(false);
  });
});

describe("events and errors", () => {
  const envelope = { attemptId: "att_1", taskId: "task_1", seq: 1, turn: 1, at: "2026-01-01T00:00:00Z" };
  it("Event accepts each body with its envelope and refuses unknown types and a missing seq", () => {
    expect(accepts(Event, { ...envelope, type: "assistant_message", text: "hi" })).toBe(true);
    expect(accepts(Event, { ...envelope, type: "status", status: "completed" })).toBe(true);
    expect(accepts(Event, { ...envelope, type: "status", status: "finished" })).toBe(false);
    expect(accepts(Event, { ...envelope, type: "telepathy" })).toBe(false);
    const { seq: _seq, ...withoutSeq } = envelope;
    expect(accepts(Event, { ...withoutSeq, type: "assistant_message", text: "hi" })).toBe(false);
  });
  it("every error code has an HTTP status, and envelopes name a known code", () => {
    for (const code of ErrorCode.options) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(accepts(ErrorEnvelope, { error: { code: "not_found", message: "no such task" } })).toBe(true);
    expect(accepts(ErrorEnvelope, { error: { code: "teapot", message: "x" } })).toBe(false);
  });
});

describe("the route table", () => {
  it("names every path parameter in the route's params schema, and nothing else", () => {
    for (const [name, def] of Object.entries(routes)) {
      const inPath = [...def.path.matchAll(/:([a-zA-Z]+)/g)].map((match) => match[1]).sort();
      const shape = (def.params as { shape?: Record<string, unknown> }).shape ?? {};
      expect(Object.keys(shape).sort(), name).toEqual(inPath);
    }
  });
  it("has one route per method and path", () => {
    const keys = Object.values(routes).map((def) => `${def.method} ${def.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
