import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, testEnvironment, testRequest, type TestRepo } from "./test-support.ts";
import { SandboxError, type WorkspaceChange } from "./types.ts";

describe("workspaces, layers and changes", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  // The setup counter is a host service: setup reaches it only as a host the environment lists.
  const manager = new SandboxManager({
    root: join(home, "sandboxes"),
    resolveHost: async (host) => (host === "counter.test" ? ["127.0.0.1"] : []),
  });
  let repo: TestRepo;
  let counter: Server;
  let setupRuns = 0;
  let port = 0;

  beforeAll(async () => {
    repo = makeTestRepo({
      "a.txt": "a\n",
      "dir/b.txt": "b\n",
      "dir/sub/c.txt": "c\n",
      "gone/d.txt": "d\n",
      "tool.sh": "#!/bin/sh\n",
      ".gitignore": "node_modules/\n",
    });
    counter = createServer((_req, res) => {
      setupRuns += 1;
      res.end("counted\n");
    });
    await new Promise<void>((r) => counter.listen(0, "127.0.0.1", () => r()));
    port = (counter.address() as { port: number }).port;
  });
  afterAll(() => {
    counter.close();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  const setupEnv = (key: string): ReturnType<typeof testEnvironment> =>
    testEnvironment(
      {
        key,
        // The setup phase has network (through the proxy): it reports each run to the counter.
        setupScript: `curl -sS http://counter.test:${port}/ >/dev/null; mkdir -p node_modules/pkg && echo dep > node_modules/pkg/index.js && echo SETUP-DONE`,
      },
      { allow: [`counter.test:${port}`] },
    );

  it("runs setup exactly once for ten attempts provisioned together", async () => {
    const outputs: string[] = [];
    const env = setupEnv("once");
    const wss = await Promise.all(
      Array.from({ length: 10 }, () =>
        manager.provision(testRequest(repo, { environment: env, onSetupOutput: (_p, c) => outputs.push(c) })),
      ),
    );
    expect(setupRuns).toBe(1);
    expect(outputs.join("")).toContain("SETUP-DONE");
    for (const ws of wss) expect((await ws.readFile("node_modules/pkg/index.js"))?.toString()).toBe("dep\n");
    // Setup output is environment, not an attempt change.
    expect(await wss[0]?.changes()).toEqual({ changes: [], skipped: [] });
    await Promise.all(wss.map((w) => w.destroy()));
  });

  it("two attempts on one commit do not see each other's edits", async () => {
    const [one, two] = await Promise.all([manager.provision(testRequest(repo)), manager.provision(testRequest(repo))]);
    if (!one || !two) throw new Error("provision failed");
    await one.exec("echo one > a.txt");
    await two.exec("echo two > a.txt");
    expect((await one.exec("cat a.txt")).output).toBe("one\n");
    expect((await two.readFile("a.txt"))?.toString()).toBe("two\n");
    await one.destroy();
    await two.destroy();
  });

  it("changes() reports upserts, deletions (whiteouts and opaque dirs) and the exec bit, not .git or ignored files", async () => {
    const ws = await manager.provision(testRequest(repo, { environment: setupEnv("once") }));
    await ws.exec(
      "echo changed > a.txt && chmod +x dir/b.txt && rm -r gone && rm -rf dir/sub && mkdir dir/sub && echo new > dir/sub/new.txt && " +
        "echo x > fresh.txt && ln -s a.txt link && touch tool.sh && echo more > node_modules/pkg/extra.js && git add -A >/dev/null",
    );
    const { changes } = await ws.changes();
    const summary = changes.map((c: WorkspaceChange) =>
      c.kind === "upsert" ? `${c.kind} ${c.path} ${c.mode}` : `${c.kind} ${c.path}`,
    );
    expect(summary).toEqual([
      "upsert a.txt 100644",
      "upsert dir/b.txt 100755",
      "delete dir/sub/c.txt",
      "upsert dir/sub/new.txt 100644",
      "upsert fresh.txt 100644",
      "delete gone/d.txt",
      "upsert link 120000",
    ]);
    const upsert = changes.find((c) => c.path === "a.txt");
    expect(upsert?.kind === "upsert" && (await import("node:fs")).readFileSync(upsert.hostPath, "utf8")).toBe(
      "changed\n",
    );
    expect(await ws.diskUsage()).toBeGreaterThan(0);
    await ws.destroy();
  });

  it("does not pass secrets to commands and redacts them from setup output", async () => {
    const secret = "s3cr3t-VALUE-abc123";
    const outputs: string[] = [];
    const env = testEnvironment({
      key: "secret-env",
      secrets: { API_TOKEN: secret },
      variables: { PLAIN: "visible" },
      setupScript:
        'echo "token is $API_TOKEN"; printf %s "$API_TOKEN" | head -c 9; printf %s "$API_TOKEN" | tail -c +10; echo; echo "$API_TOKEN" > leaked.txt',
    });
    const ws = await manager.provision(
      testRequest(repo, { environment: env, onSetupOutput: (_p, c) => outputs.push(c) }),
    );
    const setupText = outputs.join("");
    expect(setupText).toContain("token is [secret]");
    expect(setupText).not.toContain(secret);
    expect(setupText).not.toContain("s3cr3t-VA");
    const r = await ws.exec('echo "env:$API_TOKEN:$PLAIN"; cat leaked.txt');
    expect(r.output).toContain("env::visible");
    expect(r.output).not.toContain(secret);
    expect(r.output).toContain("[secret]");
    await ws.destroy();
  });

  it("fails setup with setup_failed and caches nothing", async () => {
    const env = testEnvironment({ key: "failing", setupScript: "echo trying; exit 3" });
    const err = await manager.provision(testRequest(repo, { environment: env })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).reason).toBe("setup_failed");
    expect((err as SandboxError).log).toContain("trying");
    const again = await manager.provision(testRequest(repo, { environment: env })).catch((e: unknown) => e);
    expect((again as SandboxError).reason).toBe("setup_failed");
  });

  it("runs the maintenance script when the setup layer expired", async () => {
    const phases: string[] = [];
    const env = testEnvironment({
      key: "maint",
      setupScript: "echo 1 > gen.txt",
      maintenanceScript: "echo 2 >> gen.txt",
      setupTtlMs: 0,
    });
    const first = await manager.provision(
      testRequest(repo, { environment: { ...env, setupTtlMs: 3600_000 }, onSetupOutput: (p) => phases.push(p) }),
    );
    const second = await manager.provision(testRequest(repo, { environment: env }));
    expect((await first.readFile("gen.txt"))?.toString()).toBe("1\n");
    expect((await second.readFile("gen.txt"))?.toString()).toBe("1\n2\n");
    await first.destroy();
    await second.destroy();
  });

  it("read-only workspaces refuse writes inside and through writeFile", async () => {
    const ws = await manager.provision(testRequest(repo, { readOnly: true }));
    const r = await ws.exec("echo x > a.txt");
    expect(r.exitCode).not.toBe(0);
    expect((await ws.exec("cat a.txt")).output).toBe("a\n");
    await expect(ws.writeFile("a.txt", "x")).rejects.toThrow(/read-only/);
    await expect(ws.deleteFile("a.txt")).rejects.toThrow(/read-only/);
    await ws.destroy();
  });

  it("file operations stay inside the workspace", async () => {
    const ws = await manager.provision(testRequest(repo));
    await ws.exec(
      "ln -s /etc/passwd abs-out && ln -s ../../../../etc/passwd rel-out && ln -s /workspace/a.txt abs-in && ln -s dir dirlink",
    );
    await expect(ws.readFile("/etc/passwd")).rejects.toThrow(/absolute/);
    await expect(ws.readFile("../x")).rejects.toThrow(/\.\./);
    await expect(ws.readFile("abs-out")).rejects.toThrow(/outside the workspace/);
    await expect(ws.readFile("rel-out")).rejects.toThrow(/leaves the workspace/);
    await expect(ws.writeFile("abs-out", "x")).rejects.toThrow(/outside/);
    expect((await ws.readFile("abs-in"))?.toString()).toBe("a\n");
    await ws.writeFile("dirlink/new.txt", "via link\n", { executable: true });
    expect(await ws.stat("dir/new.txt")).toEqual({ type: "file", size: 9, executable: true });
    expect(await ws.stat("abs-out")).toEqual(expect.objectContaining({ type: "symlink" }));
    expect(await ws.readFile("missing.txt")).toBeNull();
    await ws.deleteFile("a.txt");
    expect((await ws.exec("test -e a.txt; echo $?")).output).toBe("1\n");
    await ws.destroy();
  });

  it("restoreCommit brings a checkpoint's files into a fresh workspace; open() re-attaches", async () => {
    const checkpoint = repo.commitFiles(
      { "a.txt": "from checkpoint\n", "dir/b.txt": null, "bin/run": "#!/bin/sh\necho hi\n" },
      ["bin/run"],
    );
    const req = testRequest(repo, { restoreCommit: checkpoint });
    const ws = await manager.provision(req);
    expect((await ws.readFile("a.txt"))?.toString()).toBe("from checkpoint\n");
    expect(await ws.stat("dir/b.txt")).toBeNull();
    expect((await ws.exec("./bin/run")).output).toBe("hi\n");
    await ws.release();
    const manager2 = new SandboxManager({ root: join(home, "sandboxes") });
    const again = await manager2.open(req.attemptId, req);
    expect((await again.exec("cat a.txt")).output).toBe("from checkpoint\n");
    expect((await again.changes()).changes.map((c) => c.path)).toEqual(["a.txt", "bin/run", "dir/b.txt"]);
    await again.destroy();
  });

  it("gc deletes unreferenced layers but never one in use", async () => {
    const ws = await manager.provision(testRequest(repo, { environment: setupEnv("gc") }));
    const orphan = await manager.provision(testRequest(repo));
    await orphan.release();
    const m2 = new SandboxManager({ root: join(home, "sandboxes") });
    // m2 has no open workspaces; ws is open in `manager`, whose gc must keep it.
    const result = await manager.gc({ maxAgeMs: 0 });
    expect(result.deleted.some((d) => d.endsWith(orphan.attemptId))).toBe(false); // still open in this manager
    expect((await ws.exec("cat a.txt")).exitCode).toBe(0);
    await orphan.destroy();
    await ws.destroy();
    const after = await m2.gc({ maxAgeMs: 0 });
    expect(after.deleted.some((d) => d.includes("/base/"))).toBe(true);
  });
});

describe("worktree fallback", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const manager = new SandboxManager({ root: join(home, "sandboxes"), forceWorktree: true });
  let repo: TestRepo;
  beforeAll(() => {
    repo = makeTestRepo({ "a.txt": "a\n", "dir/b.txt": "b\n", ".gitignore": "node_modules/\n" });
  });
  afterAll(() => {
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("provisions copies, warns, and reports changes", async () => {
    const notices: string[] = [];
    const env = testEnvironment({ key: "wt", setupScript: "mkdir node_modules && echo x > node_modules/x" });
    const ws = await manager.provision(testRequest(repo, { environment: env, onNotice: (_l, m) => notices.push(m) }));
    expect(ws.kind).toBe("worktree");
    expect(notices.join()).toMatch(/overlayfs unavailable, using git worktree/);
    await ws.exec("echo b2 > dir/b.txt && rm a.txt && echo n > n.txt");
    expect((await ws.changes()).changes.map((c) => `${c.kind} ${c.path}`)).toEqual([
      "delete a.txt",
      "upsert dir/b.txt",
      "upsert n.txt",
    ]);
    await ws.destroy();
  });
});
