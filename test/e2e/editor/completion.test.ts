import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { runCli } from "../../support/cadre-process.ts";

const hasZsh = spawnSync("sh", ["-c", "command -v zsh"]).status === 0;

/** Runs the bash completion function for a command line whose last word is being completed. */
function complete(script: string, words: string[]): string[] {
  const array = words.map((w) => `'${w}'`).join(" ");
  const res = spawnSync(
    "bash",
    [
      "-c",
      `${script}\nCOMP_WORDS=(${array}); COMP_CWORD=${words.length - 1}; _cadre; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: "utf8" },
  );
  expect(res.status, res.stderr).toBe(0);
  return res.stdout.split("\n").filter(Boolean);
}

describe("cadre completion", () => {
  it("bash: completes commands, subcommands, options and option choices", async () => {
    const res = await runCli(["completion", "bash"], {});
    expect(res.code).toBe(0);
    const script = res.stdout;
    expect(complete(script, ["cadre", "re"])).toEqual(["repo", "reject", "review"]);
    expect(complete(script, ["cadre", "task", "n"])).toEqual(["new"]);
    expect(complete(script, ["cadre", "task", "new", "--mode", ""])).toEqual(["code", "ask", "plan"]);
    // The value of --repo is not taken for a subcommand name.
    expect(complete(script, ["cadre", "task", "new", "--repo", "task", "--w"])).toEqual(["--wait"]);
    expect(complete(script, ["cadre", "review", "--fail-on", "h"])).toEqual(["high"]);
    expect(complete(script, ["cadre", "hook", ""])).toEqual(expect.arrayContaining(["install", "uninstall"]));
  });

  it.skipIf(!hasZsh)("zsh: the script parses", async () => {
    const res = await runCli(["completion", "zsh"], {});
    expect(res.stdout.startsWith("#compdef cadre")).toBe(true);
    const check = spawnSync("zsh", ["-n"], { input: res.stdout, encoding: "utf8" });
    expect(check.status, check.stderr).toBe(0);
  });

  it("rejects other shells", async () => {
    const res = await runCli(["completion", "fish"], {});
    expect(res.code).toBe(2);
  });
});
