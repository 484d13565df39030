import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../../support/cadre-process.ts";
import { gitIn } from "../../support/fixture-repo.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

const HIGH_FINDING = [
  "One serious problem.",
  "```json",
  JSON.stringify([
    {
      file: "config.mjs",
      line: 1,
      severity: "high",
      explanation: "A hard-coded API key is committed; read it from the environment.",
    },
    { file: "config.mjs", line: 2, severity: "low", explanation: "Name the constant in upper case." },
  ]),
  "```",
].join("\n");

/** Async on purpose: the scripted model answers from this process's event loop while the hook runs. */
function commit(
  cwd: string,
  env: Record<string, string>,
  message: string,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn("git", ["commit", "-q", "-m", message], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (b: Buffer) => (output += b.toString()));
    child.stderr.on("data", (b: Buffer) => (output += b.toString()));
    child.on("close", (status) => resolve({ status, output }));
  });
}

describe("cadre review and the pre-commit hook", () => {
  let stack: CadreStack;
  let clone: string;

  beforeAll(async () => {
    stack = await startCadreStack(
      routedScript([
        {
          marker: "HARDCODED_KEY_MARKER",
          steps: [{ toolCalls: [{ name: "shell", input: { command: "cat calc.mjs" } }] }, { text: HIGH_FINDING }],
        },
        { marker: "CLEAN_CHANGE_MARKER", steps: [{ text: "Looks fine.\n```json\n[]\n```" }] },
        {
          marker: "MEDIUM_ONLY_MARKER",
          steps: [
            {
              text: 'Prose first [not json].\n```json\n[{"file":"notes.md","line":"3","severity":"warning","explanation":"typo"}]\n```',
            },
          ],
        },
      ]),
    );
    clone = stack.clone("dev");
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("reports findings with file, line, severity and explanation, and exits 1 at the threshold", async () => {
    await writeFile(
      join(clone, "config.mjs"),
      'export const apiKey = "sk-HARDCODED_KEY_MARKER";\nexport const x = 1;\n',
    );
    gitIn(clone, "add", "config.mjs");
    const json = await runCli(["review", "--staged", "--json"], stack.env, { cwd: clone });
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { task: string; findings: unknown[] };
    expect(out.findings).toEqual([
      {
        file: "config.mjs",
        line: 1,
        severity: "high",
        explanation: "A hard-coded API key is committed; read it from the environment.",
      },
      { file: "config.mjs", line: 2, severity: "low", explanation: "Name the constant in upper case." },
    ]);
    // The review ran as an ask task on the server repo matched through the clone's remote, with the diff in its prompt.
    const task = await stack.client.call("getTask", { params: { id: out.task } });
    expect(task).toMatchObject({ mode: "ask", repoName: "calc", baseRef: "main" });
    expect(task.prompt).toContain('+export const apiKey = "sk-HARDCODED_KEY_MARKER";');

    const gated = await runCli(["review", "--staged", "--fail-on", "critical"], stack.env, { cwd: clone });
    expect(gated.code).toBe(0);
    const failing = await runCli(["review", "--staged", "--fail-on", "high"], stack.env, { cwd: clone });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain("config.mjs:1  HIGH      A hard-coded API key is committed");
    expect(failing.stderr).toContain("findings at or above high");
    gitIn(clone, "reset", "-q");
  });

  it("maps a model's own severity words and string line numbers", async () => {
    await writeFile(join(clone, "notes.md"), "MEDIUM_ONLY_MARKER\n");
    gitIn(clone, "add", "notes.md");
    const res = await runCli(["review", "--staged", "--json", "--fail-on", "high"], stack.env, { cwd: clone });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).findings).toEqual([
      { file: "notes.md", line: 3, severity: "medium", explanation: "typo" },
    ]);
    gitIn(clone, "reset", "-q");
  });

  it("says there is nothing to review on an empty change, without starting a task", async () => {
    const before = (await stack.client.call("listTasks", { query: { limit: 100 } })).items.length;
    const res = await runCli(["review", "--staged"], stack.env, { cwd: clone });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain("nothing to review");
    expect((await stack.client.call("listTasks", { query: { limit: 100 } })).items.length).toBe(before);
  });

  it("as a pre-commit hook, blocks a commit on a high finding and lets a clean one through", async () => {
    const installed = await runCli(["hook", "install"], stack.env, { cwd: clone });
    expect(installed.code, installed.stderr).toBe(0);
    const hook = await readFile(join(clone, ".git", "hooks", "pre-commit"), "utf8");
    expect(hook).toContain("review --staged --fail-on high");
    const head = gitIn(clone, "rev-parse", "HEAD").trim();

    await writeFile(join(clone, "config.mjs"), 'export const apiKey = "sk-HARDCODED_KEY_MARKER";\n');
    gitIn(clone, "add", "config.mjs");
    const blocked = await commit(clone, stack.env, "add config");
    expect(blocked.status).not.toBe(0);
    expect(blocked.output).toContain("A hard-coded API key is committed");
    expect(gitIn(clone, "rev-parse", "HEAD").trim()).toBe(head);

    await writeFile(join(clone, "config.mjs"), "export const apiKey = process.env.API_KEY; // CLEAN_CHANGE_MARKER\n");
    gitIn(clone, "add", "config.mjs");
    const passed = await commit(clone, stack.env, "add config from env");
    expect(passed.status, passed.output).toBe(0);
    expect(gitIn(clone, "log", "-1", "--format=%s").trim()).toBe("add config from env");
  });

  it("refuses to overwrite a pre-commit hook it did not write, unless --force", async () => {
    const other = stack.clone("other");
    const path = join(other, ".git", "hooks", "pre-commit");
    await writeFile(path, "#!/bin/sh\nexec ./lint.sh\n");
    const refused = await runCli(["hook", "install"], stack.env, { cwd: other });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("was not written by Cadre");
    expect(await readFile(path, "utf8")).toBe("#!/bin/sh\nexec ./lint.sh\n");
    const forced = await runCli(["hook", "install", "--force", "--fail-on", "critical"], stack.env, { cwd: other });
    expect(forced.code).toBe(0);
    expect(await readFile(path, "utf8")).toContain("--fail-on critical");
  });
});
