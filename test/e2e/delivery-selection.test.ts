import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { NewApiToken, TaskWithAttempts, User } from "@cadre/protocol";
import { parsePatch, selectPatch } from "@cadre/git";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { CADRE_BIN, REPO_ROOT, runCli } from "../support/cadre-process.ts";
import { createOrigin, git } from "../support/origin-repo.ts";
import { lastUserText, patchStep, turnStep, updateFile } from "../support/script-helpers.ts";

const FILLER = (name: string) => Array.from({ length: 8 }, (_, i) => `// ${name} filler ${i + 1}`).join("\n");
/** calc.mjs with the given bodies (default: the buggy ones). */
function calc(fix: { add?: string; sub?: string; mul?: string } = {}): string {
  return [
    `export function add(a, b) {\n  return ${fix.add ?? "a - b"};\n}`,
    FILLER("a"),
    `export function sub(a, b) {\n  return ${fix.sub ?? "a + b"};\n}`,
    FILLER("b"),
    `export function mul(a, b) {\n  return ${fix.mul ?? "a + b"};\n}\n`,
  ].join("\n");
}
const CALC = calc();
const NOTES_BEFORE = "# Notes\n\nNothing yet.\n";
const FILES = { "calc.mjs": CALC, "NOTES.md": NOTES_BEFORE };

const FIX_ADD = updateFile("calc.mjs", "export function add(a, b) {", "  return a - b;", "  return a + b;");
const FIX_MUL = updateFile("calc.mjs", "export function mul(a, b) {", "  return a + b;", "  return a * b;");
const FIX_SUB = updateFile("calc.mjs", "export function sub(a, b) {", "  return a + b;", "  return a - b;");
const NUMBERS = updateFile(
  "calc.mjs",
  "export function add(a, b) {",
  "  return a + b;",
  "  return Number(a) + Number(b);",
);
const NOTES = updateFile("NOTES.md", "# Notes", "Nothing yet.", "add() and mul() are fixed.");
const SUMMARY =
  "Fixed add() and mul() in calc.mjs, which used the wrong operators, and noted the fix in NOTES.md so that readers of the notes know what changed and why it matters.";

/** Three hunks in two files (add, mul, the notes); follow-ups fix sub() or rework add(). */
function script(ctx: ScriptContext): Step {
  const step = turnStep(ctx);
  const last = lastUserText(ctx);
  if (last.includes("also fix sub")) return step === 0 ? patchStep(FIX_SUB) : { text: "Fixed sub() as well." };
  if (last.includes("convert to numbers")) return step === 0 ? patchStep(NUMBERS) : { text: "add() converts." };
  const plan = [patchStep(FIX_ADD), patchStep(FIX_MUL), patchStep(NOTES)];
  return step < plan.length ? (plan[step] as Step) : { text: SUMMARY };
}

const ADD = { path: "calc.mjs", index: 0 };
const MUL = { path: "calc.mjs", index: 1 };
const NOTE = { path: "NOTES.md", index: 0 };

describe("delivering exactly the selected hunks, as one commit by the task's creator", () => {
  let h: Harness;
  let ada: Record<string, string>;

  beforeAll(async () => {
    h = await startHarness({ script, fixtureRepo: false, slots: 2 });
    const created = await h.json<{ user: User; token: NewApiToken }>([
      "user",
      "add",
      "ada",
      "--email",
      "ada@example.com",
      "--display-name",
      "Ada Lovelace",
    ]);
    expect(created.user).toMatchObject({ email: "ada@example.com", displayName: "Ada Lovelace" });
    ada = { ...h.env, CADRE_TOKEN: created.token.token };
  });
  afterAll(async () => h?.stop());

  /** A fresh origin and a finished task on it, created by ada. */
  async function newTask(name: string) {
    const repo = await createOrigin(join(h.work, "origins", name), FILES);
    await h.json(["repo", "add", repo.origin, "--name", name]);
    expect((await h.cli(["user", "grant", "ada", name])).code).toBe(0);
    const created = await runCli(
      ["task", "new", `fix the calculator in ${name}.`, "--repo", name, "--wait", "--json"],
      ada,
    );
    expect(created.code, created.stderr).toBe(0);
    return { repo, task: JSON.parse(created.stdout) as TaskWithAttempts };
  }
  const refs = (origin: string) => git(origin, "for-each-ref", "--format=%(refname) %(objectname)");
  const show = (origin: string, format: string, rev: string) =>
    git(origin, "show", "-s", `--format=${format}`, rev).trim();
  async function patchFile(taskId: string, hunks: { path: string; index: number }[], name: string) {
    const whole = (await h.cli(["diff", taskId])).stdout;
    const file = join(h.home, name);
    await writeFile(file, selectPatch(parsePatch(whole), { hunks }));
    return file;
  }

  it("lists the delivery choices and exits 2 when none is given and no terminal can ask", async () => {
    const { task } = await newTask("choices");
    const r = await h.cli(["approve", task.id]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cadre approve ${task.id} --merge <branch>`);
    expect(r.stderr).toContain(`cadre approve ${task.id} --push-branch [name]`);
    expect(r.stderr).toContain(`cadre apply ${task.id}`);
    expect((await h.json<TaskWithAttempts>(["task", "show", task.id])).review.state).toBe("pending");

    // On a terminal it asks instead: 1 = merge, then the default branch (the task's base).
    const asked = execFileSync("script", ["-qec", `${process.execPath} ${CADRE_BIN} approve ${task.id}`, "/dev/null"], {
      env: { ...process.env, ...h.env },
      cwd: REPO_ROOT,
      input: "1\n\n",
      encoding: "utf8",
    });
    expect(asked).toContain("merge into a branch and push it (default main)");
    expect(asked).toMatch(/merged into main \([0-9a-f]{12}\)/);
  });

  it("merges one hunk of three from a patch file as one commit with the task's title, summary, trailer and author", async () => {
    const { repo, task } = await newTask("merge-part");
    const before = git(repo.origin, "rev-parse", "main").trim();
    const file = await patchFile(task.id, [MUL], "mul-only.patch");
    const r = await h.cli(["approve", task.id, "--merge", "main", "--patch", file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^merged into main \([0-9a-f]{12}\): 1 of 3 hunks in 1 of 2 files$/m);

    expect(git(repo.origin, "show", "main:calc.mjs")).toBe(calc({ mul: "a * b" }));
    expect(git(repo.origin, "show", "main:NOTES.md")).toBe(NOTES_BEFORE);
    expect(git(repo.origin, "rev-list", "--count", `${before}..main`).trim()).toBe("1");
    expect(git(repo.origin, "rev-parse", "main^").trim()).toBe(before);
    expect(show(repo.origin, "%s", "main")).toBe("Fix the calculator in merge-part");
    const body = show(repo.origin, "%b", "main");
    expect(body).toContain("Fixed add() and mul() in calc.mjs, which used the wrong operators, and");
    expect(body.split("\n").every((line) => line.length <= 72)).toBe(true);
    expect(body).toContain("Delivers 1 of 3 hunks in 1 of 2 files");
    expect(show(repo.origin, "%(trailers:key=Cadre-Task,valueonly)", "main")).toBe(task.id);
    expect(show(repo.origin, "%an <%ae>", "main")).toBe("Ada Lovelace <ada@example.com>");
    expect(show(repo.origin, "%cn <%ce>", "main")).toBe("Cadre <cadre@localhost>");
    expect(git(repo.origin, "log", "--format=%s", "main")).not.toContain("Cadre checkpoint");
    const shown = await h.json<TaskWithAttempts>(["task", "show", task.id]);
    expect(shown.review.delivery).toMatchObject({
      kind: "merge",
      branch: "main",
      selected: { hunks: 1, totalHunks: 3, files: 1, totalFiles: 2 },
    });
  });

  it("pushes two hunks picked interactively as a branch; a follow-up adds one commit and keeps the skipped hunk out", async () => {
    const { repo, task } = await newTask("push-part");
    // In the diff's order: y the notes, y add(), n mul()
    const r = await h.cli(["approve", task.id, "--push-branch", "cadre/part", "--interactive"], { input: "y\ny\nn\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("Deliver this hunk [y,n,a,d,q,?]?");
    expect(r.stdout).toMatch(/pushed as cadre\/part \([0-9a-f]{12}\): 2 of 3 hunks in 2 of 2 files/);
    const main = git(repo.origin, "rev-parse", "main").trim();
    expect(git(repo.origin, "rev-parse", "cadre/part^").trim()).toBe(main);
    expect(git(repo.origin, "show", "cadre/part:calc.mjs")).toBe(calc({ add: "a + b" }));
    expect(git(repo.origin, "show", "cadre/part:NOTES.md")).toContain("add() and mul() are fixed.");
    const first = git(repo.origin, "rev-parse", "cadre/part").trim();

    const followed = await runCli(["followup", task.id, "please also fix sub()", "--wait", "--json"], ada);
    expect(followed.code, followed.stderr).toBe(0);
    expect(git(repo.origin, "rev-parse", "cadre/part^").trim()).toBe(first);
    expect(show(repo.origin, "%s", "cadre/part")).toBe("Please also fix sub()");
    expect(show(repo.origin, "%an", "cadre/part")).toBe("Ada Lovelace");
    expect(git(repo.origin, "show", "cadre/part:calc.mjs")).toBe(calc({ add: "a + b", sub: "a - b" }));
    expect(git(repo.origin, "log", "--format=%s", "cadre/part")).not.toContain("Cadre checkpoint");
  });

  it("refuses a selection cut before a follow-up changed its hunk, with nothing changed", async () => {
    const { repo, task } = await newTask("stale");
    const file = await patchFile(task.id, [ADD, NOTE], "stale.patch");
    const followed = await runCli(["followup", task.id, "make add() convert to numbers", "--wait", "--json"], ada);
    expect(followed.code, followed.stderr).toBe(0);
    const before = refs(repo.origin);
    const r = await h.cli(["approve", task.id, "--merge", "main", "--patch", file]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no longer matches attempt 1 .*calc\.mjs hunk .*choose them again/);
    expect(refs(repo.origin)).toBe(before);
    const shown = await h.json<TaskWithAttempts>(["task", "show", task.id]);
    expect(shown.review).toMatchObject({ state: "pending", delivery: null });
    // Chosen again from the current diff, the same hunks deliver.
    const again = await patchFile(task.id, [ADD, NOTE], "fresh.patch");
    expect((await h.cli(["approve", task.id, "--merge", "main", "--patch", again])).code).toBe(0);
    expect(git(repo.origin, "show", "main:calc.mjs")).toBe(calc({ add: "Number(a) + Number(b)" }));
  });

  it("records pulling one hunk locally without ending the review; approve still works after it", async () => {
    const { repo, task } = await newTask("pull-part");
    const pulled = await h.cli(["apply", task.id, "--interactive"], { cwd: repo.clone, input: "n\ny\nn\n" });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain("pulled locally: 1 of 3 hunks in 1 of 2 files; the review stays open");
    expect(await readFile(join(repo.clone, "calc.mjs"), "utf8")).toBe(calc({ add: "a + b" }));
    const shown = await h.json<TaskWithAttempts>(["task", "show", task.id]);
    expect(shown.review).toMatchObject({
      state: "pending",
      delivery: null,
      pulled: { selected: { hunks: 1, totalHunks: 3, files: 1, totalFiles: 2 }, by: "admin" },
    });
    expect((await h.cli(["task", "show", task.id])).stdout).toContain("pulled locally: 1 of 3 hunks in 1 of 2 files");
    const merged = await h.json<TaskWithAttempts>(["approve", task.id, "--merge", "main"]);
    expect(merged.review).toMatchObject({ state: "applied", delivery: { kind: "merge", branch: "main" } });
    expect(git(repo.origin, "show", "main:calc.mjs")).toBe(calc({ add: "a + b", mul: "a * b" }));
  });

  it("refuses to merge into a checked-out branch with uncommitted changes, saying what to do; pushing a branch still works", async () => {
    const made = await createOrigin(join(h.work, "origins", "checkout"), FILES);
    // The person's working checkout itself is the origin (cadre repo add ~/src/my-project).
    const checkout = made.seed;
    await h.json(["repo", "add", checkout, "--name", "checkout"]);
    const created = await h.json<TaskWithAttempts>([
      "task",
      "new",
      "fix the calculator here",
      "--repo",
      "checkout",
      "--wait",
    ]);
    await writeFile(join(checkout, "NOTES.md"), "my own unsaved notes\n");
    const head = git(checkout, "rev-parse", "HEAD").trim();
    const refused = await h.cli(["approve", created.id, "--merge", "main"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain(`main is checked out in ${checkout} and has uncommitted changes there (NOTES.md)`);
    expect(refused.stderr).toContain(`cadre approve ${created.id} --push-branch`);
    expect(refused.stderr).toContain(`cadre apply ${created.id}`);
    expect(git(checkout, "rev-parse", "HEAD").trim()).toBe(head);
    expect(await readFile(join(checkout, "NOTES.md"), "utf8")).toBe("my own unsaved notes\n");
    const pushed = await h.json<TaskWithAttempts>(["approve", created.id, "--push-branch"]);
    expect(pushed.review.delivery).toMatchObject({ kind: "push_branch", branch: expect.stringMatching(/^cadre\//) });
    expect(git(checkout, "rev-parse", "HEAD").trim()).toBe(head);
  });
});
