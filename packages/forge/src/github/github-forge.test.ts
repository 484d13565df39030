import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { GithubDouble, type RepoState } from "../../../../test/support/github-double/index.ts";
import { forgeAdapter } from "../adapters.ts";
import type { ForgeClient } from "../forge-client.ts";
import { ForgeError } from "../forge-error.ts";
import { gitCredentialEnv } from "../git-credentials.ts";

const run = promisify(execFile);
const CALC = "export function add(a, b) {\n  return a - b;\n}\n";

describe("the GitHub adapter against the GitHub double", () => {
  let gh: GithubDouble;
  let repo: RepoState;
  let forge: ForgeClient;
  let token: string;
  const github = forgeAdapter("github");

  beforeAll(async () => {
    gh = await GithubDouble.start();
    repo = await gh.createRepo("acme/calc", {
      files: { "calc.mjs": CALC, "README.md": "# calc\n" },
      collaborators: { "cadre-bot": "write", alice: "write", bob: "read", carol: "admin" },
    });
    token = gh.createToken("cadre-bot");
    forge = github.connect({
      name: "gh",
      apiUrl: gh.apiUrl,
      webUrl: gh.webUrl,
      credentials: { kind: "token", token },
      pacing: false,
    });
  });
  afterAll(async () => gh?.close());
  afterEach(() => expect(gh.problems()).toEqual([]));

  it("reads who it is, the repository and each user's permission as GitHub answers it", async () => {
    expect(await forge.whoami()).toEqual({ login: "cadre-bot", isBot: false });
    expect(await forge.repository("acme/calc")).toMatchObject({
      defaultBranch: "main",
      canPush: true,
      canAdmin: false,
    });
    expect(await forge.permission("acme/calc", "alice")).toBe("write");
    expect(await forge.permission("acme/calc", "bob")).toBe("read");
    expect(await forge.permission("acme/calc", "carol")).toBe("admin");
    gh.state.user("mallory");
    expect(await forge.permission("acme/calc", "mallory")).toBe("none");
    expect(await forge.permission("acme/calc", "nobody-at-all")).toBe("none");
  });

  it("reads an issue's discussion, comments on it and reacts to the asking comment", async () => {
    const { thread } = await gh.openIssue(repo, "alice", "add() subtracts", "2 + 3 gives -1");
    const { comment } = await gh.comment(repo, "bob", thread.number, "confirmed on main");
    const read = await forge.discussion("acme/calc", { kind: "issue", number: thread.number });
    expect(read).toMatchObject({ title: "add() subtracts", body: "2 + 3 gives -1", author: { login: "alice" } });
    expect(read.comments.map((c) => [c.author.login, c.body])).toEqual([["bob", "confirmed on main"]]);
    const posted = await forge.comment("acme/calc", { kind: "issue", number: thread.number }, "On it.");
    expect(posted.url).toContain(`/acme/calc/issues/${thread.number}#issuecomment-`);
    await forge.acknowledge(
      "acme/calc",
      { kind: "issue", number: thread.number },
      { ...read.comments[0]!, id: String(comment.id) },
    );
    expect(thread.reactions.map((r) => [r.content, r.user, r.commentId])).toEqual([["eyes", "cadre-bot", comment.id]]);
    expect(thread.comments.at(-1)).toMatchObject({ user: "cadre-bot", body: "On it." });
  });

  it("opens a pull request from a pushed branch, finds it again and reviews it inline on changed lines", async () => {
    const sha = await gh.pushFiles(repo, {
      by: "cadre-bot",
      branch: "cadre/fix-add",
      files: { "calc.mjs": CALC.replace("a - b", "a + b") },
      message: "Fix add",
    });
    const pr = await forge.openChangeRequest("acme/calc", {
      title: "Fix add()",
      body: "Closes #1",
      head: "cadre/fix-add",
      base: "main",
      draft: false,
    });
    expect(pr).toMatchObject({
      state: "open",
      head: { branch: "cadre/fix-add", commit: sha },
      base: { branch: "main" },
    });
    expect((await forge.findChangeRequest("acme/calc", "cadre/fix-add"))?.number).toBe(pr.number);
    expect(await forge.findChangeRequest("acme/calc", "no-such-branch")).toBeNull();
    const review = await forge.postReview("acme/calc", pr.number, {
      commit: sha,
      summary: "One finding.",
      findings: [
        {
          file: "calc.mjs",
          line: 2,
          severity: "high",
          explanation: "check overflow",
          suggestion: "  return Number(a) + Number(b);",
        },
      ],
    });
    expect(review.inline).toBe(1);
    const stored = repo.threads.get(pr.number)?.pull?.reviewComments ?? [];
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ path: "calc.mjs", line: 2, side: "RIGHT" });
    expect(stored[0]?.body).toContain("```suggestion\n  return Number(a) + Number(b);\n```");
    expect((await forge.reviewComments("acme/calc", pr.number)).map((c) => [c.file, c.line])).toEqual([
      ["calc.mjs", 2],
    ]);
    // A finding off the diff: GitHub refuses the line, so it goes into the review's body instead.
    const offDiff = await forge.postReview("acme/calc", pr.number, {
      commit: sha,
      summary: "Another look.",
      findings: [{ file: "README.md", line: 1, severity: "low", explanation: "say more" }],
    });
    expect(offDiff.inline).toBe(0);
    expect(repo.threads.get(pr.number)?.pull?.reviews.at(-1)?.body).toContain("`README.md:1`");
  });

  it("sets a commit status with a plain token: GitHub lets only apps create check runs", async () => {
    const sha = gh.gitIn(repo, "rev-parse", "main").trim();
    expect(
      await forge.setCheck("acme/calc", {
        commit: sha,
        name: "Cadre review",
        state: "neutral",
        title: "no findings",
        summary: "",
      }),
    ).toMatchObject({ kind: "status" });
    expect(repo.statuses.at(-1)).toMatchObject({
      sha,
      context: "Cadre review",
      state: "success",
      creator: "cadre-bot",
    });
  });

  it("waits out a secondary rate limit and repeats the request", async () => {
    gh.rateLimit(1, "secondary", 1);
    expect((await forge.repository("acme/calc")).defaultBranch).toBe("main");
    expect(gh.requests.slice(-2).map((r) => r.status)).toEqual([403, 200]);
  });

  it("says what to do when the token is refused", async () => {
    const revoked = github.connect({
      name: "gh",
      apiUrl: gh.apiUrl,
      webUrl: gh.webUrl,
      credentials: { kind: "token", token: "ghp_revoked" },
      pacing: false,
    });
    const error = await revoked.whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ForgeError);
    expect((error as ForgeError).problem).toBe("credentials");
    expect((error as Error).message).toMatch(/cadre forge update gh --token-env/);
  });

  it("lets git fetch and push over HTTPS-style basic auth from the environment only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "forge-git-"));
    try {
      const env = {
        ...process.env,
        ...gitCredentialEnv(gh.cloneUrl(repo), await forge.gitCredentials()),
        GIT_TERMINAL_PROMPT: "0",
      };
      // git runs asynchronously: the double answers from this same process.
      await run("git", ["clone", "-q", "--bare", gh.cloneUrl(repo), join(dir, "m.git")], { env });
      const config = await run("git", ["config", "--get", "remote.origin.url"], { cwd: join(dir, "m.git") });
      expect(config.stdout.trim()).toBe(gh.cloneUrl(repo));
      await run("git", ["push", "-q", gh.cloneUrl(repo), "main:refs/heads/pushed"], { cwd: join(dir, "m.git"), env });
      expect(gh.gitIn(repo, "rev-parse", "pushed").trim()).toBe(gh.gitIn(repo, "rev-parse", "main").trim());
      await expect(
        run("git", ["ls-remote", gh.cloneUrl(repo)], { env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } }),
      ).rejects.toThrow(/401|Authentication failed|could not read Username/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("polls what webhooks would have said: new comments since a time", async () => {
    const since = new Date(Date.now() - 1000);
    const { thread } = await gh.openIssue(repo, "alice", "polled", "body");
    await gh.comment(repo, "alice", thread.number, "@cadre please look");
    const events = await forge.poll({ repoPath: "acme/calc", since, heads: [] });
    expect(
      events.filter((e) => e.kind === "comment_created").map((e) => e.kind === "comment_created" && e.comment.body),
    ).toEqual(expect.arrayContaining(["body", "@cadre please look"]));
  });
});

describe("a GitHub App: JWTs signed with its key, installation tokens minted and refreshed", () => {
  let gh: GithubDouble;
  let repo: RepoState;
  const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const privateKey = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();

  beforeAll(async () => {
    gh = await GithubDouble.start();
    repo = await gh.createRepo("acme/app-repo", { files: { "a.txt": "a\n" }, collaborators: {} });
    gh.installApp({
      id: 4242,
      slug: "cadre-app",
      publicKeyPem: keys.publicKey.export({ type: "spki", format: "pem" }).toString(),
      installationId: 77,
      repos: ["acme/app-repo"],
      // shorter than Cadre's refresh margin: every use after the first mints a new token
      tokenLifetimeMs: 60_000,
    });
  });
  afterAll(async () => gh?.close());
  afterEach(() => expect(gh.problems()).toEqual([]));

  it("signs in as the app, acts with installation tokens, and replaces a revoked one", async () => {
    const forge = forgeAdapter("github").connect({
      name: "app",
      apiUrl: gh.apiUrl,
      webUrl: gh.webUrl,
      credentials: { kind: "app", appId: "4242", privateKey, installationId: 77 },
      pacing: false,
    });
    expect(await forge.whoami()).toEqual({ login: "cadre-app[bot]", isBot: true });
    expect(gh.requests.find((r) => r.operationId === "apps/get-authenticated")?.auth).toBe("bearer");
    const sha = gh.gitIn(repo, "rev-parse", "main").trim();
    expect(
      await forge.setCheck("acme/app-repo", {
        commit: sha,
        name: "Cadre review",
        state: "pending",
        title: "reviewing",
        summary: "",
      }),
    ).toMatchObject({ kind: "check" });
    expect(repo.checkRuns.at(-1)).toMatchObject({ name: "Cadre review", status: "in_progress", app: "cadre-app" });
    const first = (await forge.gitCredentials()).password;
    const second = (await forge.gitCredentials()).password;
    expect(second).not.toBe(first);
    expect(gh.state.app?.tokensMinted).toBeGreaterThanOrEqual(3);

    // An hour-long token is kept and reused, until GitHub refuses it (revoked early): then it is replaced once.
    if (gh.state.app) gh.state.app.tokenLifetimeMs = 3600_000;
    const longLived = (await forge.gitCredentials()).password;
    expect((await forge.gitCredentials()).password).toBe(longLived);
    gh.revokeInstallationTokens();
    const minted = gh.state.app?.tokensMinted ?? 0;
    expect((await forge.repository("acme/app-repo")).canPush).toBe(true);
    expect(gh.state.app?.tokensMinted).toBe(minted + 1);
    expect(gh.requests.filter((r) => r.operationId === "repos/get").map((r) => r.status)).toEqual([401, 200]);
    expect(
      gh.requests
        .filter((r) => r.operationId === "apps/create-installation-access-token")
        .every((r) => r.auth === "bearer"),
    ).toBe(true);
  });
});
