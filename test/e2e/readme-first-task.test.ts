import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ScriptContext, Step } from "../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../support/cadre-harness.ts";
import { REPO_ROOT } from "../support/cadre-process.ts";
import { createOrigin, git } from "../support/origin-repo.ts";
import { addFile, patchStep, shellStep, turnStep } from "../support/script-helpers.ts";

const PARSER = `export function parseDate(text) {\n  const m = /^(\\d{4})-(\\d{2})-(\\d{2})$/.exec(text);\n  if (!m) throw new Error("not a date: " + text);\n  return { year: +m[1], month: +m[2], day: +m[3] };\n}\n`;
const WEEKS = `  const w = /^(\\d{4})-W(\\d{2})-(\\d)$/.exec(text);\n  if (w) return { year: +w[1], week: +w[2], weekday: +w[3] };`;
const TEST = `import { parseDate } from "./date-parser.mjs";\nconst w = parseDate("2024-W05-3");\nif (w.week !== 5) throw new Error("ISO week not parsed");\nconsole.log("ok");\n`;

const MATCH_DATE = PARSER.split("\n")[1] as string;
const FIX = [
  "*** Begin Patch",
  "*** Update File: date-parser.mjs",
  "@@ export function parseDate(text) {",
  ...WEEKS.split("\n").map((line) => `+${line}`),
  ` ${MATCH_DATE}`,
  "*** End Patch",
  "",
].join("\n");

const SCRIPT: Step[] = [
  patchStep(FIX),
  patchStep(addFile("date-parser.test.mjs", TEST)),
  shellStep("node date-parser.test.mjs"),
  { text: "parseDate() now accepts ISO week dates (2024-W05-3); date-parser.test.mjs covers it." },
];

function bash(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("bash", ["-c", script], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The commands of README.md's "A first task from the CLI", exactly as written there. */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
  const section = readme.split(/^## /m).find((s) => s.startsWith("A first task from the CLI\n"));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## A first task from the CLI"');
  return block.split("\n").filter((line) => line.trim() && !line.trim().startsWith("#"));
}

/**
 * The README's first task, run line by line in bash as a newcomer would paste it: a normal working
 * checkout at ~/src/my-project (HOME is a temporary directory), the scripted model as the agent.
 * Only `<task>` is filled in, with the id the `task new` line printed.
 */
describe("README: a first task from the CLI, run verbatim", () => {
  let h: Harness;
  let home: string;
  let project: string;

  beforeAll(async () => {
    h = await startHarness({
      script: (ctx: ScriptContext) => SCRIPT[Math.min(turnStep(ctx), SCRIPT.length - 1)] as Step,
      fixtureRepo: false,
    });
    home = await mkdtemp(join(tmpdir(), "cadre-readme-home-"));
    // A person's own clone, main checked out, clean: what `cadre repo add ~/src/my-project` meets.
    const made = await createOrigin(join(home, "upstream"), {
      "date-parser.mjs": PARSER,
      "README.md": "# my project\n",
    });
    project = join(home, "src", "my-project");
    git(home, "clone", "-q", made.seed, project);
  });
  afterAll(async () => {
    await h?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it("adds the checkout, runs the task, shows it, and merges it into the checked-out main", async () => {
    const lines = await readmeCommands();
    const [alias, ...commands] = lines;
    expect(alias).toMatch(/^alias cadre=/);
    const before = git(project, "rev-parse", "HEAD").trim();
    let taskId: string | null = null;
    const outputs: string[] = [];
    for (const command of commands) {
      if (command.includes("<task>") && !taskId) throw new Error(`no task id for: ${command}`);
      const line: string = taskId ? command.replaceAll("<task>", taskId) : command;
      // Not spawnSync: the scripted model answers from this process's event loop.
      const run = await bash(`shopt -s expand_aliases\n${alias}\n${line}\n`, { ...h.env, HOME: home });
      expect(run.code, `${line}\n${run.stdout}\n${run.stderr}`).toBe(0);
      outputs.push(run.stdout);
      taskId ??= /\b(task_[A-Za-z0-9]+)\b/.exec(run.stdout)?.[1] ?? null;
    }
    expect(taskId).not.toBeNull();
    expect(outputs.join("\n")).toContain("+  const w = /^(\\d{4})-W(\\d{2})-(\\d)$/.exec(text);");

    // Delivered into the person's checkout: main moved by one commit, the files updated, nothing left over.
    expect(git(project, "rev-parse", "HEAD^").trim()).toBe(before);
    expect(git(project, "log", "-1", "--format=%s").trim()).toBe(
      "The date parser rejects ISO weeks; fix it and add a test",
    );
    expect(git(project, "status", "--porcelain")).toBe("");
    expect(await readFile(join(project, "date-parser.test.mjs"), "utf8")).toBe(TEST);
    expect(spawnSync("node", ["date-parser.test.mjs"], { cwd: project, encoding: "utf8" }).stdout).toBe("ok\n");
  });
});
