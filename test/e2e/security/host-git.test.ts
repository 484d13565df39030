import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { createOrigin, git, pushChange } from "../../support/origin-repo.ts";
import { addFile, lastUserText, patchStep, promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";

const CALC = "export function add(a, b) {\n  return a - b;\n}\n";

/**
 * Everything git could run from a work tree or a repository's own files: config (fsmonitor,
 * hooksPath, pager, filter/diff/merge drivers, ssh and credential helpers), hooks, attributes
 * naming those drivers, and a submodule with a command-running URL — at the workspace's root,
 * in the workspace's .git and in a nested repository. Each one would leave a file in `marks`.
 */
function plant(marks: string): string {
  const run = (what: string): string => `touch ${marks}/${what}`;
  const config = [
    "[core]",
    `\tfsmonitor = "${run("fsmonitor")}"`,
    "\thooksPath = .githooks",
    `\tpager = "${run("pager")}"`,
    `\tsshCommand = "${run("ssh")}"`,
    '[filter "evil"]',
    `\tclean = "${run("clean")}"`,
    `\tsmudge = "${run("smudge")}"`,
    "\trequired = true",
    '[diff "evil"]',
    `\ttextconv = "${run("textconv")}"`,
    `\tcommand = "${run("diff-driver")}"`,
    '[merge "evil"]',
    `\tdriver = "${run("merge-driver")}"`,
    "[credential]",
    `\thelper = "!${run("credential")}"`,
  ].join("\n");
  const hook = `#!/bin/sh\n${run("hook")}-$(basename "$0")\n`;
  const hooks = ["pre-commit", "post-commit", "post-checkout", "post-merge", "reference-transaction", "pre-push"];
  return [
    `printf '%s\\n' '${config}' >> .git/config`,
    "cp .git/config .gitconfig-evil",
    "mkdir -p .githooks .git/hooks",
    ...hooks.flatMap((name) => [
      `printf '%s' '${hook}' > .githooks/${name}`,
      `cp .githooks/${name} .git/hooks/${name}`,
    ]),
    "chmod +x .githooks/* .git/hooks/*",
    "printf '* filter=evil diff=evil merge=evil\\n' > .gitattributes",
    `printf '[submodule "x"]\\n\\tpath = x\\n\\turl = ext::sh -c ${run("submodule")}\\n' > .gitmodules`,
    "mkdir -p nested && git -C nested init -q && cp .git/config nested/.git/config && echo n > nested/file",
    "printf 'export function add(a, b) {\\n  return a + b;\\n}\\n' > calc.mjs",
  ].join(" && ");
}

function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const marks = /HOSTILE-GIT (\S+)/.exec(prompt)?.[1];
  if (!marks) return { text: "done" };
  if (lastUserText(ctx).includes("conflict markers"))
    return turnStep(ctx) === 0
      ? patchStep(addFile("calc.mjs", "export function add(a, b) {\n  return Number(a) + Number(b);\n}\n"))
      : { text: "resolved" };
  if (turnStep(ctx) === 0 && lastUserText(ctx) === prompt) return shellStep(plant(marks));
  return { text: "done" };
}

describe("git on the host never runs what the workspace configures", () => {
  let h: Harness;
  let marks: string;

  beforeAll(async () => {
    h = await startHarness({ script, fixtureRepo: false });
    marks = await mkdtemp(join(tmpdir(), "cadre-host-git-"));
  });
  afterAll(async () => {
    await h?.stop();
    if (marks) await rm(marks, { recursive: true, force: true });
  });

  it("checkpoint, diff, restore, rebase with conflicts, merge delivery and apply run no workspace config, hook or driver", async () => {
    const repo = await createOrigin(join(h.work, "origins", "hostile"), { "calc.mjs": CALC, "README.md": "# r\n" });
    await h.json(["repo", "add", repo.origin, "--name", "hostile"]);
    const task = await h.json<TaskWithAttempts>(["task", "new", `HOSTILE-GIT ${marks}`, "--repo", "hostile", "--wait"]);
    expect(task.status).toBe("completed");
    const diff = await h.cli(["diff", task.id]);
    expect(diff.stdout).toContain(".gitattributes");
    const local = join(h.home, "local");
    git(h.home, "clone", "-q", repo.origin, local);
    const applied = await h.cli(["apply", task.id, "--no-record"], { cwd: local });
    expect(applied.code, applied.stderr).toBe(0);

    // Someone else changes the same line: the rebase merges with the workspace's attributes in the trees.
    await pushChange(repo.clone, { "calc.mjs": CALC.replace("a - b", "a * b") }, "conflicting change");
    const resolved = await h.cli(["followup", task.id, "--resolve-conflicts", "--wait", "--json"]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const approved = await h.cli(["approve", task.id, "--merge", "main"]);
    expect(approved.code, approved.stderr).toBe(0);
    git(repo.clone, "pull", "-q", "--ff-only");
    expect(git(repo.clone, "show", "HEAD:calc.mjs")).toContain("Number(a) + Number(b)");

    expect(await readdir(marks)).toEqual([]);
  });
});
