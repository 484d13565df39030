import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelList, Task, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { FIX_PATCH } from "../support/fixture-repo.ts";
import { patchStep, promptOf, shellStep } from "../support/script-helpers.ts";

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  if (prompt.includes("BAD-KEY") && ctx.request.model === "test-model")
    return { error: { status: 401, message: "Incorrect API key provided" } };
  if (prompt.includes("RUNS-TESTS-THEN-FAILS"))
    return ctx.step === 0 ? shellStep("node test.mjs") : { error: { status: 401, message: "key revoked" } };
  if (prompt.includes("FIX")) return ctx.step === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add()." };
  return { text: `Answered by ${ctx.request.model}.` };
}

describe("models are chosen, environments preselected, tests reported", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({
      script,
      config: (url) => ({
        defaultModel: "scripted/test-model",
        providers: { scripted: { kind: "openai-responses", baseUrl: url, apiKey: "k", maxRetries: 0 } },
        models: { "scripted/other-model": {} },
      }),
    });
  });
  afterAll(async () => h?.stop());

  it("cadre models lists the configured models with the default marked, --all what the provider offers", async () => {
    const listed = await h.cli(["models"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^\* scripted\/test-model\s+default$/m);
    expect(listed.stdout).toMatch(/^ {2}scripted\/other-model$/m);
    const all = await h.json<ModelList>(["models", "--all"]);
    expect(all.default).toBe("scripted/test-model");
    expect(all.items.find((m) => m.name === "scripted/scripted-model")).toMatchObject({
      source: "provider",
      ready: true,
    });
  });

  it("an unknown model is refused when the task is created, before anything runs", async () => {
    const before = await h.json<Task[]>(["task", "list"]);
    const r = await h.cli(["task", "new", "FIX add()", "--repo", "calc", "--model", "scripted/no-such-model"]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("unknown model 'scripted/no-such-model'");
    expect(r.stderr).toContain("scripted/test-model");
    expect(r.stderr).not.toMatch(/body: |model: /);
    expect(await h.json<Task[]>(["task", "list"])).toHaveLength(before.length);
    // A model the provider lists is accepted though the config does not name it.
    const offered = await h.json<TaskWithAttempts>([
      "task",
      "new",
      "hello",
      "--repo",
      "calc",
      "--model",
      "scripted/scripted-model",
      "--wait",
    ]);
    expect(offered.attempts[0]?.summary).toBe("Answered by scripted-model.");
  });

  it("a failed task says how to retry with another model, and the retry runs the same task on it", async () => {
    const failed = await h.cli(["task", "new", "BAD-KEY: hello", "--repo", "calc", "--wait"]);
    expect(failed.code).toBe(1);
    const id = /task_[a-z0-9]+/.exec(failed.stderr)?.[0] ?? "";
    expect(failed.stdout).toContain(`cadre task retry ${id} --model`);
    const retried = await h.json<TaskWithAttempts>(["task", "retry", id, "--model", "scripted/other-model", "--wait"]);
    expect(retried.id).not.toBe(id);
    expect(retried).toMatchObject({ prompt: "BAD-KEY: hello", model: "scripted/other-model", status: "completed" });
  });

  it("a repo's environment is preselected; Tests says not configured, or passed/failed from the last run", async () => {
    const none = await h.json<TaskWithAttempts>(["task", "new", "hello", "--repo", "calc", "--wait"]);
    expect(none).toMatchObject({ environmentId: null, testCommand: null });
    expect((await h.cli(["task", "show", none.id])).stdout).toContain("tests:    not configured");

    const env = await h.json<{ id: string }>([
      "env",
      "create",
      "calc-env",
      "--repo",
      "calc",
      "--test-command",
      "node test.mjs",
    ]);
    const fixed = await h.json<TaskWithAttempts>(["task", "new", "FIX add()", "--repo", "calc", "--wait"]);
    expect(fixed).toMatchObject({ environmentId: env.id, testCommand: "node test.mjs" });
    expect(fixed.attempts[0]?.testsPassed).toBe(true);
    const bare = await h.json<TaskWithAttempts>(["task", "new", "hello", "--repo", "calc", "--no-env"]);
    expect(bare.environmentId).toBeNull();

    // The agent ran the test command itself, then the run failed: the result is from its run.
    const ranTests = await h.json<TaskWithAttempts>(
      ["task", "new", "RUNS-TESTS-THEN-FAILS", "--repo", "calc", "--wait"],
      1,
    );
    expect(ranTests.attempts[0]).toMatchObject({ status: "failed", testsPassed: false });
  });
});
