import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gitIn } from "../../support/fixture-repo.ts";

export const LUA_CALC = `local M = {}\n\nfunction M.add(a, b)\n  return a - b\nend\n\nreturn M\n`;
export const LUA_TEST = `package.path = "./?.lua;" .. package.path\nlocal calc = require("calc")\nassert(calc.add(2, 3) == 5, "FAIL add(2, 3) = " .. calc.add(2, 3))\nprint("all lua tests passed")\n`;
/** The one-line fix the scripted model applies. */
export const LUA_FIX = `*** Begin Patch\n*** Update File: calc.lua\n@@ function M.add(a, b)\n-  return a - b\n+  return a + b\n*** End Patch\n`;

/**
 * A Lua project (a toolchain the runner host does not have) whose test `lua5.4 test.lua` fails
 * until add() is fixed, with a devcontainer.json naming the test image.
 */
export async function createLuaRepo(dir: string, devcontainerImage: string): Promise<void> {
  await mkdir(join(dir, ".devcontainer"), { recursive: true });
  gitIn(dir, "init", "-q", "-b", "main");
  await writeFile(join(dir, "calc.lua"), LUA_CALC);
  await writeFile(join(dir, "test.lua"), LUA_TEST);
  await writeFile(
    join(dir, ".devcontainer", "devcontainer.json"),
    `{
  // the Lua toolchain lives in the image
  "image": "${devcontainerImage}",
  "containerEnv": { "CADRE_DC": "from-devcontainer", },
  "postCreateCommand": "echo devcontainer-setup-ran > .dc-marker",
  "customizations": { "vscode": { "extensions": [] } },
}
`,
  );
  gitIn(dir, "add", "-A");
  gitIn(dir, "commit", "-q", "-m", "lua calc with a bug");
}
