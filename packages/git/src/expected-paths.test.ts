import { describe, expect, it } from "vitest";
import { mkdtemp, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { expectedPaths, identifiersIn, pathsIn } from "./expected-paths.ts";

describe("expected paths", () => {
  it("finds identifiers and paths in a prompt", () => {
    expect(identifiersIn("make `parseDate` accept weeks and fix add() in calc")).toEqual(
      expect.arrayContaining(["parseDate", "add"]),
    );
    expect(pathsIn("see src/util/date.ts and README.md, not ../etc/passwd")).toEqual(["src/util/date.ts", "README.md"]);
  });

  it("maps a prompt to the files that define what it names", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cadre-exp-"));
    await mkdir(join(dir, "src"));
    await writeFile(
      join(dir, "src", "calc.js"),
      "export function add(a, b) { return a - b; }\nexport function mul(a, b) { return a * b; }\n",
    );
    await writeFile(join(dir, "src", "use.js"), "import { add } from './calc.js';\nconsole.log(add(1, 2));\n");
    await writeFile(join(dir, "README.md"), "# x\n");
    const env = {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@e",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@e",
    };
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["add", "-A"], { cwd: dir });
    execFileSync("git", ["commit", "-qm", "x"], { cwd: dir, env });
    const gitDir = join(dir, ".git");
    expect(await expectedPaths(gitDir, "HEAD", "fix add() so it adds")).toEqual(["src/calc.js"]);
    expect(await expectedPaths(gitDir, "HEAD", "update README.md and `mul`")).toEqual(["README.md", "src/calc.js"]);
    expect(await expectedPaths(gitDir, "HEAD", "improve the docs")).toEqual([]);
    expect(await expectedPaths(gitDir, "HEAD", "edit --output=/tmp/x and -e.js")).toEqual([]);
  });
});
