import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { CreatedAutomation, TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { BUGGY_CALC, FIXED_CALC, FIX_PATCH } from "../../support/fixture-repo.ts";
import { createOrigin, git } from "../../support/origin-repo.ts";
import { patchStep, turnStep } from "../../support/script-helpers.ts";
import { until } from "../forge/forge-world.ts";

/**
 * A server killed (SIGKILL) while it delivers a finished run. First the origin's pre-receive hook
 * holds the branch push until the test opens a gate, so the kill lands inside the delivery for
 * sure, and the held push never lands (as when the server dies before its push reached the forge).
 * Then a second origin's post-receive hook holds the push after the branch moved there, so the
 * kill falls between the push landing and the delivery being recorded.
 */
describe("automations: a server killed while delivering a run", () => {
  let h: Harness;
  let origin: string;
  let gate: string;

  beforeAll(async () => {
    h = await startHarness({
      script: (ctx) => (turnStep(ctx) === 0 ? patchStep(FIX_PATCH) : { text: "Fixed add()." }),
      fixtureRepo: false,
      // A short delivery lease, so the instance that comes back takes the run up soon.
      serverEnv: { CADRE_AUTOMATION_DELIVERY_LEASE_MS: "1000", CADRE_AUTOMATION_TICK_MS: "200" },
    });
    gate = join(h.work, "gate");
    await mkdir(gate, { recursive: true });
    origin = (await createOrigin(join(h.work, "origins", "calc"), { "calc.mjs": BUGGY_CALC })).origin;
    const hook = join(origin, "hooks", "pre-receive");
    // The first push waits at the gate and is then refused (it belongs to the killed server); later ones pass.
    await writeFile(
      hook,
      [
        "#!/bin/sh",
        `if [ -e '${gate}/reached' ]; then cat > /dev/null; exit 0; fi`,
        `touch '${gate}/reached'`,
        `while [ ! -e '${gate}/open' ]; do sleep 0.1; done`,
        "echo 'refused: the server that pushed was killed' >&2",
        "exit 1",
        "",
      ].join("\n"),
    );
    await chmod(hook, 0o755);
    await h.json(["repo", "add", origin, "--name", "calc"]);
  }, 300_000);
  afterAll(async () => {
    await writeFile(join(h.work, "gate", "open"), "").catch(() => undefined);
    await h?.stop();
  });

  it("another start of the server takes the run up once the lease passed, delivers it and ends it once", async () => {
    const created = await h.json<CreatedAutomation>([
      "automation",
      "add",
      "fixer",
      "--repo",
      "calc",
      "--on",
      "fire",
      "--prompt",
      "Fix add().",
      "--deliver",
      "branch",
    ]);
    const fired = await fetch(created.fireUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${created.fireToken}` },
      body: JSON.stringify({ text: "add() subtracts" }),
    });
    expect(fired.status).toBe(202);
    const { taskId } = ((await fired.json()) as { run: { taskId: string } }).run;

    await until("the branch push to reach the origin", () => existsSync(join(gate, "reached")));
    const delivering = await h.server.client.call("getAutomation", { params: { id: "fixer" } });
    expect(delivering.lastRuns.map((run) => run.state)).toEqual(["delivering"]);
    await h.restart("SIGKILL");
    // The killed server's push is let go, and refused.
    await writeFile(join(gate, "open"), "");

    const finished = await until("the run to end after the restart", async () => {
      const found = await h.server.client.call("getAutomation", { params: { id: "fixer" } });
      return found.lastRuns[0]?.state === "succeeded" || found.lastRuns[0]?.state === "failed" ? found : null;
    });
    const task = await h.json<TaskWithAttempts>(["task", "show", taskId]);
    expect(task.review.delivery).toMatchObject({ kind: "push_branch" });
    const branch = task.review.delivery?.kind === "push_branch" ? task.review.delivery.branch : "";
    expect(finished.lastRuns).toHaveLength(1);
    expect(finished.lastRuns[0]).toMatchObject({ taskId, state: "succeeded", error: null });
    expect(finished.lastRuns[0]?.outcome).toContain(branch);
    expect(finished.consecutiveFailures).toBe(0);
    // The branch holds the task's change (delivery makes a commit of its own on the task's base).
    expect(git(origin, "show", `refs/heads/${branch}:calc.mjs`)).toBe(FIXED_CALC);
  });

  it("a server killed after its push landed but before it recorded the delivery: the run then succeeds on that push, once", async () => {
    const landedGate = join(h.work, "landed-gate");
    await mkdir(landedGate, { recursive: true });
    const second = (await createOrigin(join(h.work, "origins", "calc-landed"), { "calc.mjs": BUGGY_CALC })).origin;
    const hook = join(second, "hooks", "post-receive");
    // post-receive runs once the branch moved: the first push has landed, and the server waits on it.
    await writeFile(
      hook,
      [
        "#!/bin/sh",
        "cat > /dev/null",
        `if [ -e '${landedGate}/reached' ]; then exit 0; fi`,
        `touch '${landedGate}/reached'`,
        `while [ ! -e '${landedGate}/open' ]; do sleep 0.1; done`,
        "",
      ].join("\n"),
    );
    await chmod(hook, 0o755);
    await h.json(["repo", "add", second, "--name", "calc-landed"]);
    const created = await h.json<CreatedAutomation>([
      "automation",
      "add",
      "landed-fixer",
      "--repo",
      "calc-landed",
      "--on",
      "fire",
      "--prompt",
      "Fix add().",
      "--deliver",
      "branch",
    ]);
    const fired = await fetch(created.fireUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${created.fireToken}` },
      body: JSON.stringify({ text: "add() subtracts" }),
    });
    expect(fired.status).toBe(202);
    const { taskId } = ((await fired.json()) as { run: { taskId: string } }).run;

    await until("the branch push to land on the origin", () => existsSync(join(landedGate, "reached")));
    const pushedBranches = git(second, "for-each-ref", "--format=%(refname:short)", "refs/heads/cadre/")
      .trim()
      .split("\n");
    expect(pushedBranches).toHaveLength(1);
    const branch = pushedBranches[0] as string;
    const landed = git(second, "rev-parse", `refs/heads/${branch}`).trim();
    await h.restart("SIGKILL");
    await writeFile(join(landedGate, "open"), "");

    const finished = await until("the run to end after the restart", async () => {
      const found = await h.server.client.call("getAutomation", { params: { id: "landed-fixer" } });
      return found.lastRuns[0]?.state === "succeeded" || found.lastRuns[0]?.state === "failed" ? found : null;
    });
    expect(finished.lastRuns).toHaveLength(1);
    expect(finished.lastRuns[0]).toMatchObject({ taskId, state: "succeeded", error: null });
    expect(finished.consecutiveFailures).toBe(0);
    // The delivery is the push that landed before the kill: no second commit, no second branch.
    const task = await h.json<TaskWithAttempts>(["task", "show", taskId]);
    expect(task.review.delivery).toMatchObject({ kind: "push_branch", branch, commit: landed });
    expect(git(second, "rev-parse", `refs/heads/${branch}`).trim()).toBe(landed);
    expect(git(second, "rev-list", "--count", `main..refs/heads/${branch}`).trim()).toBe("1");
    expect(git(second, "for-each-ref", "--format=%(refname:short)", "refs/heads/cadre/").trim()).toBe(branch);
    expect(git(second, "show", `refs/heads/${branch}:calc.mjs`)).toBe(FIXED_CALC);
  });
});
