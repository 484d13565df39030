import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { Event } from "@cadre/protocol";
import { startScriptedModel, type ScriptedModel } from "../support/scripted-model/index.ts";
import { createFixtureRepo, FIX_PATCH } from "../support/fixture-repo.ts";
import { runCli, startCadreServe, writeScriptedConfig, type CadreServeProcess } from "../support/cadre-process.ts";
import { freshPostgresUrl, postgresAvailable, tempHome } from "../support/databases.ts";

const FIX_SCRIPT = [
  { text: "Running the tests first.", toolCalls: [{ name: "shell", input: { command: "node test.mjs" } }] },
  { toolCalls: [{ name: "apply_patch", input: FIX_PATCH }] },
  { toolCalls: [{ name: "shell", input: { command: "node test.mjs" } }] },
  { text: "Fixed add(): it subtracted instead of adding. `node test.mjs` now passes." },
];

const EXPECTED_DIFF_LINES = ["-  return a - b;", "+  return a + b;"];

for (const backend of ["pglite", "postgres"] as const) {
  describe.skipIf(backend === "postgres" && !postgresAvailable())(
    `first task end to end through the CLI (${backend})`,
    () => {
      let model: ScriptedModel;
      let server: CadreServeProcess;
      let home: string;
      let cleanup: (() => Promise<void>)[] = [];
      let env: Record<string, string>;
      let dbEnv: Record<string, string> = {};

      beforeAll(async () => {
        const h = await tempHome();
        home = h.home;
        cleanup.push(h.remove);
        if (backend === "postgres") {
          const db = await freshPostgresUrl();
          if (!db) throw new Error("no PostgreSQL");
          dbEnv = { CADRE_DATABASE_URL: db.url };
          cleanup.push(db.drop);
        }
        model = await startScriptedModel({ script: FIX_SCRIPT });
        await writeScriptedConfig(home, model.url);
        await createFixtureRepo(join(home, "..", `${home.split("/").pop()}-repo`));
        server = await startCadreServe({ home, env: dbEnv });
        env = { CADRE_HOME: home, CADRE_URL: server.url, CADRE_TOKEN: server.token };
      });

      afterAll(async () => {
        await server?.stop();
        await model?.close();
        for (const c of cleanup.reverse()) await c();
        cleanup = [];
      });

      it("runs the tests, fixes the bug, and keeps the task, events and diff across a restart", async () => {
        const repoPath = join(home, "..", `${home.split("/").pop()}-repo`);
        const added = await runCli(["repo", "add", repoPath, "--name", "calc", "--json"], env);
        expect(added.code, added.stderr).toBe(0);

        const created = await runCli(
          ["task", "new", "The tests fail: fix the bug", "--repo", "calc", "--wait", "--json"],
          env,
        );
        expect(created.code, created.stderr + created.stdout).toBe(0);
        const task = JSON.parse(created.stdout) as {
          id: string;
          status: string;
          attempts: { id: string; status: string; summary: string }[];
        };
        expect(task.status).toBe("completed");
        expect(task.attempts[0]?.summary).toContain("Fixed add()");

        const diff = await runCli(["diff", task.id], env);
        expect(diff.code).toBe(0);
        const changed = diff.stdout.split("\n").filter((l) => /^[+-](?![+-])/.test(l));
        expect(changed).toEqual(EXPECTED_DIFF_LINES);
        expect(diff.stdout).toContain("diff --git a/calc.mjs b/calc.mjs");

        const logs = await runCli(["logs", task.id, "--json"], env);
        const events = logs.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as Event);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        const steps = events
          .filter(
            (e) =>
              e.type === "tool_call" ||
              e.type === "tool_result" ||
              e.type === "assistant_message" ||
              e.type === "status",
          )
          .map((e) => {
            if (e.type === "tool_result") return `result:${e.name}:${e.exitCode ?? (e.isError ? "error" : "ok")}`;
            if (e.type === "tool_call") return `call:${e.name}`;
            if (e.type === "status") return `status:${e.status}`;
            return "message";
          });
        expect(steps).toEqual([
          "status:provisioning",
          "status:running",
          "message",
          "call:shell",
          "result:shell:1",
          "call:apply_patch",
          "result:apply_patch:ok",
          "call:shell",
          "result:shell:0",
          "message",
          "status:completed",
        ]);
        // the scripted model saw the failing and then the passing test output
        expect(model.requests.length).toBe(4);

        const before = { events: logs.stdout, diff: diff.stdout };
        await server.stop();
        server = await startCadreServe({ home, env: dbEnv });
        env = { ...env, CADRE_URL: server.url };
        const shown = await runCli(["task", "show", task.id, "--json"], env);
        expect(JSON.parse(shown.stdout).status).toBe("completed");
        expect((await runCli(["logs", task.id, "--json"], env)).stdout).toBe(before.events);
        expect((await runCli(["diff", task.id], env)).stdout).toBe(before.diff);
      });
    },
  );
}
