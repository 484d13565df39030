import { execFileSync } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  });
}

export const BUGGY_CALC = `export function add(a, b) {\n  return a - b;\n}\n\nexport function mul(a, b) {\n  return a * b;\n}\n`;
export const FIXED_CALC = BUGGY_CALC.replace("return a - b;", "return a + b;");
export const CALC_TEST = `import { add, mul } from "./calc.mjs";\nif (add(2, 3) !== 5) { console.error("FAIL add(2, 3) = " + add(2, 3)); process.exit(1); }\nif (mul(2, 3) !== 6) { console.error("FAIL mul"); process.exit(1); }\nconsole.log("all tests passed");\n`;

/** The patch the scripted model applies to fix the fixture's bug. */
export const FIX_PATCH = `*** Begin Patch\n*** Update File: calc.mjs\n@@ export function add(a, b) {\n-  return a - b;\n+  return a + b;\n*** End Patch\n`;

/** A small git repository whose test (`node test.mjs`) fails until add() is fixed. */
export async function createFixtureRepo(dir: string): Promise<{ path: string; head: string }> {
  await mkdir(dir, { recursive: true });
  git(dir, "init", "-q", "-b", "main");
  await writeFile(join(dir, "calc.mjs"), BUGGY_CALC);
  await writeFile(join(dir, "test.mjs"), CALC_TEST);
  await writeFile(join(dir, "README.md"), "# calc\n\nRun the tests with `node test.mjs`.\n");
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "-m", "initial");
  return { path: dir, head: git(dir, "rev-parse", "HEAD").trim() };
}

export function gitIn(cwd: string, ...args: string[]): string {
  return git(cwd, ...args);
}
