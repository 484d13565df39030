import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewApiToken, TaskWithAttempts, User } from "@cadre/protocol";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model/index.ts";
import { runCli, startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../support/cadre-process.ts";
import { createOrigin, git } from "../support/origin-repo.ts";
import { patchStep, turnStep, updateFile } from "../support/script-helpers.ts";

const FILES = { "app.txt": "name: app\nversion 1\n" };

/**
 * Users carry the identity their delivered commits are authored with: set at `user add`, changed
 * with `user set` (by themselves or an admin), and for the bootstrap admin taken from the server
 * account's git configuration on first start.
 */
describe("who delivered commits are by", () => {
  let dir: string;
  let model: ScriptedModel;
  let server: CadreServeProcess;
  let env: Record<string, string>;
  let bob: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "cadre-identity-"));
    await writeFile(join(dir, ".gitconfig"), "[user]\n\tname = Grace Hopper\n\temail = grace@example.com\n");
    model = await startScriptedModel({
      script: (ctx) =>
        turnStep(ctx) === 0
          ? patchStep(updateFile("app.txt", "name: app", "version 1", "version 2"))
          : { text: "Bumped." },
    });
    const home = join(dir, "home");
    await writeScriptedConfig(home, model.url);
    // The server account's HOME holds its git identity.
    server = await startCadreServe({ home, env: { HOME: dir } });
    env = { CADRE_HOME: home, CADRE_URL: server.url, CADRE_TOKEN: server.token };
    const added = await runCli(["user", "add", "bob", "--email", "bob@old.example", "--json"], env);
    expect(added.code, added.stderr).toBe(0);
    bob = { ...env, CADRE_TOKEN: (JSON.parse(added.stdout) as { token: NewApiToken }).token.token };
  });
  afterAll(async () => {
    await server?.stop();
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("lets a user set their own name and email, not someone else's, and refuses a malformed email", async () => {
    const own = await runCli(
      ["user", "set", "bob", "--email", "bob@example.com", "--display-name", "Bob Bemer", "--json"],
      bob,
    );
    expect(own.code, own.stderr).toBe(0);
    expect(JSON.parse(own.stdout) as User).toMatchObject({ email: "bob@example.com", displayName: "Bob Bemer" });
    const other = await runCli(["user", "set", "admin", "--email", "mallory@example.com"], bob);
    expect(other.code).toBe(4);
    const bad = await runCli(["user", "set", "bob", "--email", "not an email"], bob);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/email/);
    const none = await runCli(["user", "set", "bob"], bob);
    expect(none.code).toBe(2);
    const listed = await runCli(["user", "list"], env);
    expect(listed.stdout).toMatch(/^admin .*Grace Hopper <grace@example\.com>$/m);
    expect(listed.stdout).toMatch(/^bob .*Bob Bemer <bob@example\.com>$/m);
  });

  it("authors a task's delivered commit as its creator, by name and email", async () => {
    for (const [who, creds, name] of [
      ["admin", env, "Grace Hopper <grace@example.com>"],
      ["bob", bob, "Bob Bemer <bob@example.com>"],
    ] as const) {
      const repo = await createOrigin(join(dir, "origins", who), FILES);
      expect((await runCli(["repo", "add", repo.origin, "--name", `app-${who}`], env)).code).toBe(0);
      if (who === "bob") expect((await runCli(["user", "grant", "bob", `app-${who}`], env)).code).toBe(0);
      const made = await runCli(["task", "new", "bump the version", "--repo", `app-${who}`, "--wait", "--json"], creds);
      expect(made.code, made.stderr).toBe(0);
      const task = JSON.parse(made.stdout) as TaskWithAttempts;
      expect((await runCli(["approve", task.id, "--merge", "main"], env)).code).toBe(0);
      expect(git(repo.origin, "show", "-s", "--format=%an <%ae>|%cn <%ce>", "main").trim()).toBe(
        `${name}|Cadre <cadre@localhost>`,
      );
    }
  });
});
