import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, turnStep } from "../../support/script-helpers.ts";

/** Long enough that a command outliving the environment's 2-second limit prints its marker. */
const SLOW = "sleep 12; echo OUTLIVED-THE-LIMIT";

/** The model asks for an hour, then relies on the shell tool's own default. */
function script(ctx: ScriptContext): Step {
  if (!promptOf(ctx).includes("OUTLAST")) return { text: "done" };
  const step = turnStep(ctx);
  if (step === 0) return { toolCalls: [{ name: "shell", input: { command: SLOW, timeout_ms: 3_600_000 } }] };
  if (step === 1) return { toolCalls: [{ name: "shell", input: { command: SLOW } }] };
  return { text: "done" };
}

describe("the environment's command timeout is a ceiling", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  it("a command is killed at the environment's limit whatever timeout the model asks for", async () => {
    await h.json(["env", "create", "short", "--repo", "calc", "--command-timeout", "2"]);
    const task = await h.json<TaskWithAttempts>([
      "task",
      "new",
      "OUTLAST the limit",
      "--repo",
      "calc",
      "--env",
      "short",
      "--wait",
    ]);
    const results = (await h.events(task.id)).filter((e) => e.type === "tool_result");
    expect(results).toHaveLength(2);
    for (const result of results) {
      if (result.type !== "tool_result") continue;
      expect(result.output).toContain("timed out after 2.0s");
      expect(result.output).not.toContain("OUTLIVED-THE-LIMIT");
      expect(result.exitCode).toBeNull();
    }
  });
});
