import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitChanges } from "@cadre/git";
import { SandboxManager } from "./sandbox-manager.ts";
import type { SandboxWorkspace } from "./sandbox-workspace.ts";
import { makeTestRepo, testRequest, type TestRepo } from "./test-support.ts";
import type { Workspace } from "./types.ts";

/** Checkpoints a workspace into the test mirror, as the runner does. */
async function checkpoint(repo: TestRepo, ws: Workspace): Promise<string> {
  const { changes } = await ws.changes();
  return (await commitChanges({ gitDir: repo.mirror, parent: repo.commit, changes, message: "checkpoint" })).commit;
}

describe("checkpoints: scan, commit and restore", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const victim = mkdtempSync(join(tmpdir(), "cadre-sbx-victim-"));
  const manager = new SandboxManager({ root: join(home, "sandboxes") });
  let repo: TestRepo;

  beforeAll(() => {
    repo = makeTestRepo({ "a.txt": "a\n", "docs/keep.txt": "docs\n", "docs/deep/keep.txt": "deep\n" });
    mkdirSync(join(victim, "deep"));
    for (const file of ["keep.txt", "deep/keep.txt"]) writeFileSync(join(victim, file), "host\n");
  });
  afterAll(() => {
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
    rmSync(victim, { recursive: true, force: true });
  });

  it("restoring links to host paths deletes and writes nothing through them", async () => {
    const ws = await manager.provision(testRequest(repo));
    const climb = "../".repeat(40);
    await ws.exec(`rm -rf docs && ln -s ${victim} docs && ln -s ${climb}${victim.slice(1)} up`);
    const commit = await checkpoint(repo, ws);
    await ws.destroy();
    const restored = await manager.provision(testRequest(repo, { restoreCommit: commit }));
    for (const file of ["keep.txt", "deep/keep.txt"]) expect(readFileSync(join(victim, file), "utf8")).toBe("host\n");
    expect(await restored.stat("docs")).toMatchObject({ type: "symlink" });
    expect((await restored.exec("readlink docs")).output).toBe(`${victim}\n`);
    await restored.destroy();
  });

  it("a link where the checkpoint has a directory is replaced, not written through", async () => {
    const ws = await manager.provision(testRequest(repo));
    await ws.exec("echo inside > docs/new.txt");
    const commit = await checkpoint(repo, ws);
    await ws.destroy();
    // The setup layer (or anything else under the workspace) put a link where the checkpoint has a directory.
    const restored = await manager.provision(testRequest(repo));
    await restored.exec(`rm -rf docs && ln -s ${victim} docs`);
    await (restored as SandboxWorkspace).restore(repo.mirror, repo.commit, commit);
    expect(readFileSync(join(victim, "keep.txt"), "utf8")).toBe("host\n");
    expect((await restored.exec("cat docs/new.txt; test -L docs || echo real-dir")).output).toBe("inside\nreal-dir\n");
    await restored.destroy();
  });

  it("any name git can store round-trips; nested clones and names git refuses are reported, not fatal", async () => {
    const ws = await manager.provision(testRequest(repo));
    await ws.exec(
      [
        "echo dash > ./-rf",
        "echo colon > ':(top)x'",
        "echo nl > $'line\\nbreak'",
        "echo tab > $'tab\\there'",
        `echo quote > '"quoted"'`,
        "echo latin > $'caf\\xe9'",
        "mkdir -p vendor/lib && git -C vendor/lib init -q && echo lib > vendor/lib/file",
        "mkdir -p x/.GIT && echo refused > x/.GIT/config",
      ].join(" && "),
    );
    const { changes, skipped } = await ws.changes();
    expect(skipped.map((s) => `${s.kind} ${s.path}`).sort()).toEqual([
      "nested_repository vendor/lib",
      "unstorable_name x/.GIT",
    ]);
    expect(changes).toHaveLength(6);
    const commit = await checkpoint(repo, ws);
    await ws.destroy();
    const restored = await manager.provision(testRequest(repo, { restoreCommit: commit }));
    const out = await restored.exec(
      "cat ./-rf ':(top)x' $'line\\nbreak' $'tab\\there' '\"quoted\"' $'caf\\xe9'; ls vendor 2>&1 | head -1",
    );
    expect(out.output).toBe(
      "dash\ncolon\nnl\ntab\nquote\nlatin\nls: cannot access 'vendor': No such file or directory\n",
    );
    await restored.destroy();
  });

  it("a scan repeated with nothing in between is reused, and every command, write and delete is seen", async () => {
    const ws = await manager.provision(testRequest(repo));
    const paths = async (): Promise<string[]> =>
      (await ws.changes()).changes.map((c) => `${c.kind} ${String(c.path)}`).sort();
    expect(await paths()).toEqual([]);
    expect(await paths()).toEqual([]);
    await ws.exec("echo one > one.txt");
    expect(await paths()).toEqual(["upsert one.txt"]);
    const first = await ws.changes();
    first.changes.length = 0;
    expect(await paths()).toEqual(["upsert one.txt"]);
    await ws.writeFile("two.txt", "two\n");
    expect(await paths()).toEqual(["upsert one.txt", "upsert two.txt"]);
    await ws.deleteFile("a.txt");
    expect(await paths()).toEqual(["delete a.txt", "upsert one.txt", "upsert two.txt"]);
    // A scan that runs while a command writes is never kept for later.
    const running = ws.exec("sleep 0.3; echo late > late.txt");
    await ws.changes();
    await running;
    expect(await paths()).toEqual(["delete a.txt", "upsert late.txt", "upsert one.txt", "upsert two.txt"]);
    await ws.destroy();
  });
});
