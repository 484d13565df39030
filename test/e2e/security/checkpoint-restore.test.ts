import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { createOrigin, git, pushChange } from "../../support/origin-repo.ts";
import { lastUserText, promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";

const FILES = {
  "README.md": "# victim-test\n",
  "docs/keep.txt": "docs\n",
  "docs/deep/keep.txt": "deep\n",
  "notes/keep.txt": "notes\n",
};

/**
 * The hostile agent replaces two directories of the repository with symlinks to host directories
 * (one absolute, one relative that climbs out of the workspace). Rebuilding the workspace from the
 * checkpoint then deletes the base's files under those names: through the links, on the host.
 */
function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const match = /LINK-ATTACK (\S+) (\S+)/.exec(prompt);
  if (match && turnStep(ctx) === 0 && lastUserText(ctx) === prompt) {
    const [, absolute, relative] = match;
    const climb = "../".repeat(40);
    return shellStep(
      `rm -rf docs notes && ln -s ${absolute} docs && ln -s ${climb}${relative?.replace(/^\//, "")} notes && ls -la`,
    );
  }
  return { text: "done" };
}

describe("a checkpoint with symlinks to host paths, restored into a fresh workspace", () => {
  let h: Harness;
  let victims: string;

  beforeAll(async () => {
    h = await startHarness({ script, fixtureRepo: false });
    // Outside the Cadre home: what the runner's host user can delete.
    victims = await mkdtemp(join(tmpdir(), "cadre-victim-"));
  });
  afterAll(async () => {
    await h?.stop();
    await rm(victims, { recursive: true, force: true });
  });

  async function victimDirs(name: string): Promise<{ absolute: string; relative: string }> {
    const absolute = join(victims, `${name}-abs`);
    const relative = join(victims, `${name}-rel`);
    for (const dir of [absolute, relative]) {
      await mkdir(join(dir, "deep"), { recursive: true });
      for (const file of ["keep.txt", "deep/keep.txt"]) await writeFile(join(dir, file), "host file\n");
    }
    return { absolute, relative };
  }

  async function expectHostFilesIntact(dirs: { absolute: string; relative: string }): Promise<void> {
    for (const dir of [dirs.absolute, dirs.relative])
      for (const file of ["keep.txt", "deep/keep.txt"])
        expect(await readFile(join(dir, file), "utf8"), `${dir}/${file}`).toBe("host file\n");
  }

  async function linkTask(repo: string, dirs: { absolute: string; relative: string }): Promise<TaskWithAttempts> {
    const task = await h.json<TaskWithAttempts>([
      "task",
      "new",
      `LINK-ATTACK ${dirs.absolute} ${dirs.relative}`,
      "--repo",
      repo,
      "--wait",
    ]);
    expect(task.status).toBe("completed");
    return task;
  }

  it("a follow-up on a runner without the attempt's layer leaves the host files alone", async () => {
    const repo = await createOrigin(join(h.work, "origins", "resume"), FILES);
    await h.json(["repo", "add", repo.origin, "--name", "resume"]);
    const dirs = await victimDirs("resume");
    const task = await linkTask("resume", dirs);
    // The next run happens where this attempt's layer does not exist: it is rebuilt from the checkpoint.
    await h.restart();
    await rm(join(h.home, "sandboxes", "attempts"), { recursive: true, force: true });
    const followed = await h.cli(["followup", task.id, "look again", "--wait", "--json"]);
    expect(followed.code, followed.stderr).toBe(0);
    await expectHostFilesIntact(dirs);
    expect((JSON.parse(followed.stdout) as TaskWithAttempts).status).toBe("completed");
  });

  it("followup --resolve-conflicts after the branch moved leaves the host files alone", async () => {
    const repo = await createOrigin(join(h.work, "origins", "rebase"), FILES);
    await h.json(["repo", "add", repo.origin, "--name", "rebase"]);
    const dirs = await victimDirs("rebase");
    const task = await linkTask("rebase", dirs);
    await pushChange(repo.clone, { "README.md": "# moved on\n" }, "someone else's change");
    const resolved = await h.cli(["followup", task.id, "--resolve-conflicts", "--wait", "--json"]);
    expect(resolved.code, resolved.stderr).toBe(0);
    await expectHostFilesIntact(dirs);
    // The rebuilt workspace still holds the agent's change: the links, nothing behind them.
    const diff = await h.cli(["diff", task.id]);
    expect(diff.stdout).toContain("docs");
    expect(git(repo.clone, "ls-files")).toContain("docs/keep.txt");
  });
});
