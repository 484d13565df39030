import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";

/** /tmp is a tmpfs (as large as the disk limit) whose pages count against the command's memory: past 64 MB. */
const EAT_MEMORY = "head -c 200m /dev/zero > /tmp/fill; echo survived";
const WRITE_PAST_DISK = "head -c 200m /dev/zero > big.bin";

function script(ctx: ScriptContext): Step {
  if (!promptOf(ctx).includes("HIT-LIMITS")) return { text: "done" };
  const step = turnStep(ctx);
  if (step === 0) return shellStep(EAT_MEMORY);
  if (step === 1) return shellStep(WRITE_PAST_DISK);
  return { text: "done" };
}

describe("a command stopped by a limit says which", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  it("the memory and the disk limit are named in the command's result, not a bare exit code", async () => {
    await h.json(["env", "create", "small", "--repo", "calc", "--memory", "64", "--disk", "100"]);
    const task = await h.json<TaskWithAttempts>([
      "task",
      "new",
      "HIT-LIMITS",
      "--repo",
      "calc",
      "--env",
      "small",
      "--wait",
    ]);
    const results = (await h.events(task.id)).flatMap((e) => (e.type === "tool_result" ? [e.output] : []));
    expect(results).toHaveLength(2);
    expect(results[0]).toMatch(/^Exit code: .*\(killed: memory limit 64 MB\)/);
    expect(results[1]).toMatch(/^Exit code: .*\(killed: file size limit \(the disk limit of 100 MB\)\)/);
  });
});
