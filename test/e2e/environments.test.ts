import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Environment, Event, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../support/script-helpers.ts";

const SECRET = "s3cr3t-VALUE-7f1e9a";

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  if (prompt.includes("READ-ONLY") && turnStep(ctx) === 0) return shellStep("echo changed > calc.mjs; echo exit=$?");
  if (prompt.includes("PRINT-ENV") && turnStep(ctx) === 0) return shellStep("env | sort; cat .setup-marker");
  return { text: "done" };
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe("environments: setup, secrets, read-only", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  const json = <T>(args: string[], code = 0) => h.json<T>(args, code);

  it("a secret printed by the setup script appears nowhere: events, logs, API, database files", async () => {
    const created = await json<Environment>([
      "env",
      "create",
      "with-secret",
      "--repo",
      "calc",
      "--secret",
      `API_TOKEN=${SECRET}`,
      "--setup",
      'echo "setup sees $API_TOKEN"; echo marker > .setup-marker',
    ]);
    expect(created.secretNames).toEqual(["API_TOKEN"]);
    expect(JSON.stringify(created)).not.toContain(SECRET);
    // The same name again: the message suits the web's form, the CLI adds its own command.
    const again = await h.cli(["env", "create", "with-secret", "--repo", "calc"]);
    expect(again.code).toBe(4);
    expect(again.stderr).toContain(
      "an environment named 'with-secret' already exists: choose another name, or edit that environment",
    );
    expect(again.stderr).toContain("run: cadre env update with-secret");
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "PRINT-ENV and look around",
      "--repo",
      "calc",
      "--env",
      "with-secret",
      "--wait",
    ]);
    expect(t.status).toBe("completed");
    const logs = await h.cli(["logs", t.id, "--json"]);
    const events = logs.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Event);
    const setup = events
      .filter((e) => e.type === "setup_output")
      .map((e) => (e.type === "setup_output" ? e.chunk : ""))
      .join("");
    expect(setup).toContain("setup sees [secret]");
    // the agent phase has no secrets, but does see what setup produced
    const out = events
      .filter((e) => e.type === "command_output")
      .map((e) => (e.type === "command_output" ? e.chunk : ""))
      .join("");
    expect(out).toContain("marker");
    expect(out).not.toContain("API_TOKEN");
    expect(logs.stdout).not.toContain(SECRET);
    expect((await h.cli(["env", "show", "with-secret", "--json"])).stdout).not.toContain(SECRET);
    expect(h.server.logs()).not.toContain(SECRET);
    const setupLog = await h.server.client.call("environmentSetupLog", { params: { id: "with-secret" } });
    expect(setupLog.taskId).toBe(t.id);
    expect(setupLog.log).toContain("setup sees [secret]");
    // nothing under the Cadre home holds it in the clear: not the database, not a layer's metadata
    for (const f of await filesUnder(h.home)) {
      if ((await stat(f)).size > 64 * 1024 * 1024) continue;
      const content = await readFile(f).catch(() => Buffer.alloc(0));
      expect(content.includes(SECRET), `${f} holds the secret`).toBe(false);
    }
  });

  it("a failing setup fails the attempt with setup_failed and its log visible", async () => {
    await json([
      "env",
      "create",
      "broken",
      "--repo",
      "calc",
      "--setup",
      "echo installing; echo 'npm ERR! missing thing' >&2; exit 3",
    ]);
    const t = await json<TaskWithAttempts>(
      ["task", "new", "anything", "--repo", "calc", "--env", "broken", "--wait"],
      1,
    );
    expect(t.attempts[0]).toMatchObject({ status: "failed", failureReason: "setup_failed" });
    const logs = await h.cli(["logs", t.id]);
    expect(logs.stdout).toContain("npm ERR! missing thing");
  });

  it("ask mode mounts the workspace read-only", async () => {
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "READ-ONLY: what does calc.mjs do?",
      "--repo",
      "calc",
      "--mode",
      "ask",
      "--wait",
    ]);
    expect(t.status).toBe("completed");
    const logs = await h.cli(["logs", t.id, "--json"]);
    expect(logs.stdout).toMatch(/Read-only file system|exit=1/);
    const diff = await h.cli(["diff", t.id]);
    expect(diff.stdout).toBe("");
  });
});
