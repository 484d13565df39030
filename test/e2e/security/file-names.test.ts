import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";

/** Names that once made the checkpoint throw and failed the attempt. */
const CREATE = [
  "echo dash > ./-rf",
  "echo colon > ':(top)magic'",
  "echo nl > $'line\\nbreak'",
  "echo tab > $'tab\\there'",
  `echo quote > '"quoted" and '\\''single'\\'''`,
  "echo latin1 > $'caf\\xe9.txt'",
  // The agent cloned something: a repository of its own inside the workspace.
  "mkdir -p vendor/lib && git -C vendor/lib init -q && echo lib > vendor/lib/lib.txt",
  "echo fixed > calc.mjs",
].join(" && ");

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("AWKWARD-NAMES") && turnStep(ctx) === 0) return shellStep(CREATE);
  return { text: "done" };
}

describe("file names that used to fail an attempt", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  it("are checkpointed byte for byte; a nested repository is left out with a notice", async () => {
    const task = await h.json<TaskWithAttempts>([
      "task",
      "new",
      "AWKWARD-NAMES everywhere",
      "--repo",
      "calc",
      "--wait",
    ]);
    const attempt = task.attempts[0];
    expect(attempt?.status, attempt?.failureMessage ?? "").toBe("completed");
    const mirror = join(h.home, "mirrors", `${task.repoId}.git`);
    const listed = execFileSync("git", [
      "--git-dir",
      mirror,
      "ls-tree",
      "-r",
      "-z",
      "--name-only",
      `${attempt?.headCommit}`,
    ]);
    const names = listed
      .toString("latin1")
      .split("\0")
      .filter(Boolean)
      .map((name) => Buffer.from(name, "latin1"));
    const expected = ["-rf", ":(top)magic", "line\nbreak", "tab\there", `"quoted" and 'single'`, "calc.mjs"].map((n) =>
      Buffer.from(n),
    );
    expected.push(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2e, 0x74, 0x78, 0x74]));
    for (const name of expected)
      expect(
        names.some((n) => n.equals(name)),
        JSON.stringify(name.toString()),
      ).toBe(true);
    expect(names.some((n) => n.toString().startsWith("vendor/"))).toBe(false);
    const notices = (await h.events(task.id)).filter((e) => e.type === "notice");
    expect(notices.some((e) => e.type === "notice" && e.message.includes("vendor/lib"))).toBe(true);
    const diff = await h.cli(["diff", task.id]);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toContain("+fixed");
  });
});
