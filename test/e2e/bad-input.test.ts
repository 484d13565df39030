import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readdir, symlink, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFixtureRepo } from "../support/fixture-repo.ts";
import { runCli, startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../support/cadre-process.ts";
import { tempHome } from "../support/databases.ts";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model/index.ts";

describe("bad input is refused with a clear 4xx and nothing written", () => {
  let server: CadreServeProcess;
  let model: ScriptedModel;
  let home: string;
  let remove: () => Promise<void>;
  let repoPath: string;

  beforeAll(async () => {
    ({ home, remove } = await tempHome());
    model = await startScriptedModel({ script: [] });
    await writeScriptedConfig(home, model.url);
    repoPath = join(home, "..", `${home.split("/").pop()}-repo`);
    await createFixtureRepo(repoPath);
    server = await startCadreServe({ home, slots: 0 });
    const ok = await send("POST", "/repos", { origin: repoPath, name: "calc" });
    expect(ok.status).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
    await model?.close();
    await remove();
  });

  async function send(
    method: string,
    path: string,
    body?: unknown,
    opts: { raw?: string; token?: string | null } = {},
  ) {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    const token = opts.token === undefined ? server.token : opts.token;
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method,
      headers,
      ...(opts.raw !== undefined ? { body: opts.raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as { error?: { code: string; message: string } };
    return { status: res.status, error: json.error };
  }

  async function snapshot() {
    const tasks = await server.client.call("listTasks", { query: { limit: 1000 } });
    const repos = await server.client.call("listRepos");
    const mirrors = await readdir(join(home, "mirrors"));
    return { tasks: tasks.items.length, repos: repos.items.length, mirrors: mirrors.sort() };
  }

  const cases: [
    string,
    () => Promise<{ status: number; error?: { code: string; message: string } }>,
    number,
    RegExp,
  ][] = [
    ["malformed JSON", () => send("POST", "/tasks", undefined, { raw: "{ not json" }), 400, /not valid JSON/],
    [
      "an unknown field",
      () => send("POST", "/tasks", { prompt: "x", repo: "calc", colour: "red" }),
      400,
      /unknown field 'colour'/,
    ],
    [
      "attempts 0",
      () => send("POST", "/tasks", { prompt: "x", repo: "calc", attempts: 0 }),
      400,
      /attempts must be between 1 and 8/,
    ],
    [
      "attempts 99",
      () => send("POST", "/tasks", { prompt: "x", repo: "calc", attempts: 99 }),
      400,
      /attempts must be between 1 and 8/,
    ],
    [
      "a ref that is a git option",
      () => send("POST", "/tasks", { prompt: "x", repo: "calc", baseRef: "--upload-pack=x" }),
      400,
      /may not start with '-'/,
    ],
    [
      "a ref that does not exist",
      () => send("POST", "/tasks", { prompt: "x", repo: "calc", baseRef: "no-such-branch" }),
      404,
      /not found/,
    ],
    [
      "a repo path that does not exist",
      () => send("POST", "/repos", { origin: "/no/such/repo" }),
      400,
      /repository not found at \/no\/such\/repo/,
    ],
    [
      "an ext:: origin that would run a command",
      () => send("POST", "/repos", { origin: "ext::sh -c touch% /tmp/pwned" }),
      400,
      /unsupported repository URL/,
    ],
    [
      "an origin that is an option",
      () => send("POST", "/repos", { origin: "--upload-pack=touch /tmp/x" }),
      400,
      /may not start with '-'/,
    ],
    [
      "an unknown repo",
      () => send("POST", "/tasks", { prompt: "x", repo: "nope" }),
      404,
      /repo '?nope'? not found|no repo named 'nope'/,
    ],
    ["an empty prompt", () => send("POST", "/tasks", { prompt: "   ", repo: "calc" }), 400, /prompt may not be empty/],
    ["a bad id in the path", () => send("GET", "/tasks/..%2F..%2Fetc"), 400, /must be a Cadre id/],
    ["a missing token", () => send("GET", "/tasks", undefined, { token: null }), 401, /missing bearer token/],
    [
      "a wrong token",
      () => send("GET", "/tasks", undefined, { token: "cadre_wrong_token_value" }),
      401,
      /token was refused/,
    ],
    [
      "a wrong token on create",
      () => send("POST", "/tasks", { prompt: "x", repo: "calc" }, { token: "nope" }),
      401,
      /token was refused/,
    ],
    [
      "an oversized body",
      () =>
        send("POST", "/tasks", undefined, {
          raw: JSON.stringify({ prompt: "x".repeat(2 * 1024 * 1024), repo: "calc" }),
        }),
      413,
      /over \d+ bytes/,
    ],
  ];

  for (const [name, run, status, message] of cases) {
    it(`refuses ${name}`, async () => {
      const before = await snapshot();
      const res = await run();
      expect(res.status).toBe(status);
      expect(res.error?.message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });
  }

  it("the CLI reports usage errors and server refusals with distinct exit codes", async () => {
    const env = { CADRE_HOME: home, CADRE_URL: server.url, CADRE_TOKEN: server.token };
    const usage = await runCli(["task", "new", "x", "--repo", "calc", "--attempts", "99"], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--attempts must be between 1 and 8/);
    const refused = await runCli(["task", "new", "x", "--repo", "calc", "--base", "--upload-pack=x"], env);
    expect(refused.code).not.toBe(0);
    const unreachable = await runCli(["task", "list"], { ...env, CADRE_URL: "http://127.0.0.1:9" });
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toMatch(/cannot reach the Cadre server/);
    const badToken = await runCli(["task", "list"], { ...env, CADRE_TOKEN: "wrong" });
    expect(badToken.code).toBe(5);
  });
});

describe("cadre serve checks its prerequisites", () => {
  it("refuses to start without bubblewrap or git and names the Debian packages", async () => {
    const { home, remove } = await tempHome();
    // A PATH holding only node: no git, no bwrap.
    const bin = await mkdtemp(join(tmpdir(), "cadre-bin-"));
    await mkdir(bin, { recursive: true });
    await symlink(process.execPath, join(bin, "node"));
    const r = await runCli(["serve", "--port", "0"], { CADRE_HOME: home, PATH: bin });
    await remove();
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/apt-get install .*bubblewrap/);
    expect(r.stderr).toMatch(/git/);
  });
});
