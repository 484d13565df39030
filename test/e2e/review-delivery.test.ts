import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ConflictMatrix, TaskWithAttempts } from "@cadre/protocol";
import { parsePatch, selectPatch } from "@cadre/git";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { createOrigin, git, pushChange } from "../support/origin-repo.ts";
import {
  addFile,
  lastUserText,
  patchStep,
  promptOf,
  shellStep,
  turnStep,
  updateFile,
} from "../support/script-helpers.ts";

const FILLER = Array.from({ length: 12 }, (_, i) => `// line ${i + 1} between the functions`).join("\n");
const CALC = `export function add(a, b) {\n  return a - b;\n}\n\n${FILLER}\n\nexport function mul(a, b) {\n  return a + b;\n}\n`;
const TEST = `import { add, mul } from "./calc.mjs";\nconst ok = add(2, 3) === 5 && mul(2, 3) === 6;\nconsole.log(ok ? "all tests passed" : "FAIL");\nprocess.exit(ok ? 0 : 1);\n`;
const FILES = { "calc.mjs": CALC, "test.mjs": TEST, "README.md": "# calc\n", "notes.txt": "obsolete notes\n" };

const FIX_ADD = updateFile("calc.mjs", "export function add(a, b) {", "  return a - b;", "  return a + b;");
const FIX_ADD_NUMBERS = updateFile(
  "calc.mjs",
  "export function add(a, b) {",
  "  return a - b;",
  "  return Number(a) + Number(b);",
);
const FIX_MUL = updateFile("calc.mjs", "export function mul(a, b) {", "  return a + b;", "  return a * b;");
const BREAK_ADD = updateFile("calc.mjs", "export function add(a, b) {", "  return a - b;", "  return a * b;");
const DOCS = "*** Begin Patch\n*** Update File: README.md\n # calc\n+\n+A tiny calculator.\n*** End Patch\n";
const RESOLVED = addFile("calc.mjs", CALC.replace("  return a - b;", "  return Number(a) + Number(b);"));

/** One model for every task here: which change it makes depends on the task's prompt and lane. */
function script(ctx: ScriptContext): Step {
  const prompt = promptOf(ctx);
  const step = turnStep(ctx);
  if (lastUserText(ctx).includes("also fix mul()"))
    return step === 0 ? patchStep(FIX_MUL) : { text: "mul() fixed too." };
  if (lastUserText(ctx).includes("conflict markers"))
    return step === 0
      ? patchStep(RESOLVED)
      : { text: "Resolved the conflict: add() converts to numbers on top of the new head." };
  const plan: Step[] = prompt.includes("TASK-A")
    ? [patchStep(FIX_ADD)]
    : prompt.includes("SLOW-A")
      ? [patchStep(FIX_ADD), shellStep("sleep 3")]
      : prompt.includes("TASK-B")
        ? [patchStep(FIX_ADD_NUMBERS)]
        : prompt.includes("TASK-C")
          ? [patchStep(DOCS)]
          : prompt.includes("TWO-HUNKS")
            ? [patchStep(FIX_ADD), patchStep(FIX_MUL)]
            : prompt.includes("BEST-OF")
              ? [patchStep(ctx.lane % 3 === 1 ? BREAK_ADD : FIX_ADD), patchStep(FIX_MUL)]
              : prompt.includes("RESHAPE")
                ? [
                    shellStep(
                      "git mv README.md GUIDE.md && printf '\\000\\001\\002\\377' > logo.bin && rm notes.txt && chmod +x test.mjs",
                    ),
                  ]
                : [];
  return step < plan.length ? (plan[step] as Step) : { text: `Done (${prompt.slice(0, 20)}).` };
}

describe("review and delivery", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script, fixtureRepo: false, slots: 3 });
  });
  afterAll(async () => h?.stop());

  const cli = (args: string[], opts: { cwd?: string; input?: string } = {}) => h.cli(args, opts);
  const json = <T>(args: string[]) => h.json<T>(args);
  async function newRepo(name: string) {
    const repo = await createOrigin(join(h.work, "origins", name), FILES);
    await json(["repo", "add", repo.origin, "--name", name]);
    return repo;
  }
  const waitTask = (id: string) =>
    json<TaskWithAttempts>(["task", "show", id]).then(async (t) => {
      for (let i = 0; i < 600 && !["completed", "failed", "cancelled", "waiting_for_input"].includes(t.status); i++) {
        await new Promise((r) => setTimeout(r, 200));
        t = await json<TaskWithAttempts>(["task", "show", id]);
      }
      return t;
    });

  it("flags a potential conflict before start, finds exactly the conflicting pair after, and resolves it", async () => {
    const repo = await newRepo("parallel");
    const a = await json<TaskWithAttempts>(["task", "new", "TASK-A: fix add() so that it adds", "--repo", "parallel"]);
    const b = await json<TaskWithAttempts>([
      "task",
      "new",
      "TASK-B: make add() convert its arguments to numbers",
      "--repo",
      "parallel",
    ]);
    const c = await json<TaskWithAttempts>([
      "task",
      "new",
      "TASK-C: describe the project in README.md",
      "--repo",
      "parallel",
    ]);
    expect(a.expectedPaths).toEqual(["calc.mjs"]);
    expect(b.potentialConflicts).toEqual([{ taskId: a.id, title: expect.any(String), paths: ["calc.mjs"] }]);
    expect(c.expectedPaths).toEqual(["README.md"]);
    expect(c.potentialConflicts).toEqual([]);
    const shown = await cli(["task", "show", b.id]);
    expect(shown.stdout).toContain(`potential conflict with ${a.id}`);

    for (const t of [a, b, c]) expect((await waitTask(t.id)).status).toBe("completed");
    const matrix = await json<ConflictMatrix>(["conflicts", "--repo", "parallel"]);
    expect(matrix.tasks.map((t) => t.taskId).sort()).toEqual([a.id, b.id, c.id].sort());
    const conflicting = matrix.pairs.filter((p) => !p.clean);
    expect(conflicting).toHaveLength(1);
    expect([conflicting[0]?.a, conflicting[0]?.b].sort()).toEqual([a.id, b.id].sort());
    expect(conflicting[0]?.paths).toEqual(["calc.mjs"]);

    const approved = await json<TaskWithAttempts>(["approve", a.id, "--merge", "main"]);
    expect(approved.review).toMatchObject({
      state: "applied",
      by: "admin",
      delivery: { kind: "merge", branch: "main" },
    });
    expect(git(repo.origin, "show", "main:calc.mjs")).toContain("return a + b;");

    const after = await json<ConflictMatrix>(["conflicts", "--repo", "parallel"]);
    expect(after.tasks.map((t) => t.taskId).sort()).toEqual([b.id, c.id].sort());
    expect(after.pairs.filter((p) => !p.clean).map((p) => [p.a, p.b])).toEqual([["target", b.id]]);

    const originBefore = git(repo.origin, "rev-parse", "main");
    const refused = await cli(["approve", b.id, "--merge", "main"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/no longer applies cleanly.*calc\.mjs/);
    expect(git(repo.origin, "rev-parse", "main")).toBe(originBefore);

    const resolved = await cli(["followup", b.id, "--resolve-conflicts", "--wait", "--json"]);
    expect(resolved.code, resolved.stderr).toBe(0);
    const final = await json<ConflictMatrix>(["conflicts", "--repo", "parallel"]);
    expect(final.pairs.filter((p) => !p.clean)).toEqual([]);
    const diff = await cli(["diff", b.id]);
    expect(diff.stdout).toContain("-  return a + b;");
    expect(diff.stdout).toContain("+  return Number(a) + Number(b);");
    expect(diff.stdout).not.toContain("<<<<<<<");
    const merged = await json<TaskWithAttempts>(["approve", b.id, "--merge", "main"]);
    expect(merged.review.state).toBe("applied");
    expect(git(repo.origin, "show", "main:calc.mjs")).toContain("return Number(a) + Number(b);");
  });

  it("compares best-of-3 attempts, shows the failing one, and merges only the approved attempt", async () => {
    const repo = await newRepo("best");
    await json(["env", "create", "best-env", "--repo", "best", "--test-command", "node test.mjs"]);
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "BEST-OF: fix the calculator",
      "--repo",
      "best",
      "--env",
      "best-env",
      "--attempts",
      "3",
      "--wait",
    ]);
    expect(t.attempts).toHaveLength(3);
    expect(t.attempts.every((x) => x.status === "completed")).toBe(true);
    expect(t.attempts.map((x) => x.testsPassed).sort()).toEqual([false, true, true]);
    for (const x of t.attempts) expect(x.changes).toEqual({ filesChanged: 1, additions: 2, deletions: 2 });
    const shown = await cli(["task", "show", t.id]);
    expect(shown.stdout).toMatch(/tests failed/);
    const good = t.attempts.find((x) => x.testsPassed) as TaskWithAttempts["attempts"][number];
    await json(["approve", t.id, "--attempt", String(good.index), "--merge", "main"]);
    const merged = git(repo.origin, "show", "main:calc.mjs");
    expect(merged).toContain("return a + b;");
    expect(merged).toContain("return a * b;");
    expect(merged).not.toContain("return a * b;\n}\n\n//");
  });

  it("merges onto a moved branch when it still merges cleanly, and pushes a branch", async () => {
    const repo = await newRepo("moved");
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "TASK-C: describe the project in README.md",
      "--repo",
      "moved",
      "--wait",
    ]);
    const theirs = await pushChange(repo.clone, { "notes.txt": "someone else's change\n" }, "unrelated change");
    const merged = await json<TaskWithAttempts>(["approve", t.id, "--merge", "main"]);
    expect(merged.review.delivery).toMatchObject({ kind: "merge", branch: "main" });
    expect(git(repo.origin, "merge-base", "--is-ancestor", theirs, "main")).toBe("");
    expect(git(repo.origin, "show", "main:README.md")).toContain("A tiny calculator.");

    const t2 = await json<TaskWithAttempts>([
      "task",
      "new",
      "TASK-A: fix add() so that it adds",
      "--repo",
      "moved",
      "--wait",
    ]);
    const pushed = await json<TaskWithAttempts>(["approve", t2.id, "--push-branch", "fix-add"]);
    expect(pushed.review.delivery).toMatchObject({ kind: "push_branch", branch: "fix-add" });
    expect(git(repo.origin, "show", "fix-add:calc.mjs")).toContain("return a + b;");
    // a follow-up of a pushed attempt is pushed to the same branch
    const followed = await cli(["followup", t2.id, "TWO-HUNKS also fix mul()", "--wait", "--json"]);
    expect(followed.code, followed.stderr).toBe(0);
    expect(git(repo.origin, "show", "fix-add:calc.mjs")).toContain("return a * b;");
  });

  it("queues a task behind the active task it may conflict with", async () => {
    await newRepo("queued");
    const first = await json<TaskWithAttempts>([
      "task",
      "new",
      "SLOW-A: fix add() so that it adds",
      "--repo",
      "queued",
    ]);
    const second = await json<TaskWithAttempts>([
      "task",
      "new",
      "TASK-B: make add() convert its arguments to numbers",
      "--repo",
      "queued",
      "--queue-behind-conflicts",
    ]);
    expect(second.queueAfter).toEqual([first.id]);
    const done = await json<TaskWithAttempts>(["task", "show", second.id]).then(() => waitTask(second.id));
    const firstDone = await json<TaskWithAttempts>(["task", "show", first.id]);
    expect(done.status).toBe("completed");
    // it started only once the first had finished
    expect(Date.parse(done.attempts[0]?.startedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(firstDone.attempts[0]?.finishedAt as string),
    );
  });

  it("applies one hunk of two interactively and refuses a dirty conflicting tree with nothing changed", async () => {
    const repo = await newRepo("hunks");
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "TWO-HUNKS: fix add() and mul()",
      "--repo",
      "hunks",
      "--wait",
    ]);
    const stat = await cli(["diff", t.id, "--json"]);
    expect((JSON.parse(stat.stdout) as { files: unknown[] }).files).toHaveLength(1);

    const r = await cli(["apply", t.id, "--interactive", "--no-record"], { cwd: repo.clone, input: "y\nn\n" });
    expect(r.code, r.stderr).toBe(0);
    const content = await readFile(join(repo.clone, "calc.mjs"), "utf8");
    expect(content).toBe(CALC.replace("  return a - b;", "  return a + b;"));

    git(repo.clone, "checkout", "-q", "--", ".");
    git(repo.clone, "reset", "-q", "--hard");
    // the same choice made elsewhere (e.g. the web app's patch download), applied from a file
    const whole = (await cli(["diff", t.id])).stdout;
    const second = selectPatch(parsePatch(whole), { hunks: [{ path: "calc.mjs", index: 1 }] });
    await writeFile(join(h.home, "mul-only.patch"), second);
    const fromFile = await cli(["apply", t.id, "--patch", join(h.home, "mul-only.patch"), "--no-record"], {
      cwd: repo.clone,
    });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(await readFile(join(repo.clone, "calc.mjs"), "utf8")).toBe(
      CALC.replace("  return a + b;\n}\n", "  return a * b;\n}\n"),
    );
    git(repo.clone, "reset", "-q", "--hard");
    const dirty = CALC.replace("  return a - b;", "  return b + a; // local edit");
    await writeFile(join(repo.clone, "calc.mjs"), dirty);
    const refused = await cli(["apply", t.id, "--no-record"], { cwd: repo.clone });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/calc\.mjs/);
    expect(await readFile(join(repo.clone, "calc.mjs"), "utf8")).toBe(dirty);
  });

  it("round-trips a rename, a binary file, a deletion and a mode change through cadre apply", async () => {
    const repo = await newRepo("reshape");
    const t = await json<TaskWithAttempts>([
      "task",
      "new",
      "RESHAPE the repository layout",
      "--repo",
      "reshape",
      "--wait",
    ]);
    const d = await json<{
      files: { path: string; status: string; binary: boolean; oldPath: string | null; newMode: string | null }[];
    }>(["diff", t.id]);
    const byPath = Object.fromEntries(d.files.map((f) => [f.path, f]));
    expect(byPath["GUIDE.md"]).toMatchObject({ status: "renamed", oldPath: "README.md" });
    expect(byPath["logo.bin"]).toMatchObject({ status: "added", binary: true });
    expect(byPath["notes.txt"]).toMatchObject({ status: "deleted" });
    expect(byPath["test.mjs"]).toMatchObject({ newMode: "100755" });

    const r = await cli(["apply", t.id], { cwd: repo.clone });
    expect(r.code, r.stderr).toBe(0);
    expect(await readFile(join(repo.clone, "GUIDE.md"), "utf8")).toBe("# calc\n");
    expect([...(await readFile(join(repo.clone, "logo.bin")))]).toEqual([0, 1, 2, 255]);
    await expect(readFile(join(repo.clone, "notes.txt"))).rejects.toThrow();
    await expect(readFile(join(repo.clone, "README.md"))).rejects.toThrow();
    expect(git(repo.clone, "ls-files", "-s", "test.mjs")).toMatch(/^100755/);
    const recorded = await json<TaskWithAttempts>(["task", "show", t.id]);
    expect(recorded.review.delivery).toEqual({ kind: "pulled_locally" });
  });
});
