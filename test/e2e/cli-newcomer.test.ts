import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Task, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness } from "../support/cadre-harness.ts";

describe("the CLI as a newcomer types it", () => {
  let h: Harness;
  let scratch: string;

  beforeAll(async () => {
    h = await startHarness({ script: [{ text: "Nothing to change." }] });
    scratch = await mkdtemp(join(tmpdir(), "cadre-newcomer-"));
  });
  afterAll(async () => {
    await h?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it("an unquoted prompt is refused with the quoted command to run instead, and nothing starts", async () => {
    const r = await h.cli(["task", "new", "fix", "the", "date", "parser", "--repo", "calc"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('quote it, e.g. cadre task new "fix the date parser" --repo calc');
    expect(await h.json<Task[]>(["task", "list"])).toEqual([]);
  });

  it("--repo is inferred from the clone the command runs in, and explained when there is none", async () => {
    const clone = join(scratch, "my-clone");
    execFileSync("git", ["clone", "-q", join(h.work, "repo"), clone]);
    const r = await h.cli(["task", "new", "say hello", "--json"], { cwd: clone });
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as TaskWithAttempts).repoName).toBe("calc");
    const outside = await h.cli(["task", "new", "say hello"], { cwd: scratch });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain("--repo is missing (and this folder is not a git clone to infer it from)");
  });

  it("a URL without a scheme is reported as such, for the server and for a repo", async () => {
    const server = await h.cli(["--url", "127.0.0.1:7700", "task", "list"]);
    expect(server.code).toBe(2);
    expect(server.stderr).toContain("--url '127.0.0.1:7700' has no scheme: write http://127.0.0.1:7700");
    const repo = await h.cli(["repo", "add", "github.com/acme/app"], { cwd: scratch });
    expect(repo.code).toBe(2);
    expect(repo.stderr).toContain("looks like a URL without a scheme: write https://github.com/acme/app");
    const api = await fetch(`${h.server.url}/api/v1/repos`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.server.token}`, "content-type": "application/json" },
      body: JSON.stringify({ origin: "github.com/acme/app" }),
    });
    expect(api.status).toBe(400);
    expect(((await api.json()) as { error: { message: string } }).error.message).toContain("without a scheme");
  });

  it("statuses read the same as in the web app, and the CLI prints the command a refusal suggests", async () => {
    const list = await h.cli(["task", "list", "--status", "needs input"]);
    expect(list.code, list.stderr).toBe(0);
    const shown = await h.cli(["task", "show", "task_doesnotexist1"]);
    expect(shown.code).toBe(4);
    expect(shown.stderr).toBe("error: task task_doesnotexist1 not found\n  run: cadre task list\n");
    const rows = await h.cli(["task", "list"]);
    expect(rows.stdout).toMatch(/Completed/);
  });
});
