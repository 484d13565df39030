import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmod, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";

/** A setuid and a setgid copy of a shell: root-owned on the host when Cadre runs as root. */
const PLANT = "cp /bin/sh ./rootshell && chmod 4755 ./rootshell && cp /bin/sh ./groupshell && chmod 2755 ./groupshell";

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("PLANT-SETUID") && turnStep(ctx) === 0) return shellStep(`${PLANT} && ls -l *shell`);
  return { text: "done" };
}

/** Regular files with a setuid or setgid bit anywhere under `dir`. */
async function setIdFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await setIdFiles(path)));
    else if (entry.isFile() && ((await stat(path)).mode & 0o6000) !== 0) found.push(path);
  }
  return found;
}

describe("setuid files the agent makes", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script });
  });
  afterAll(async () => h?.stop());

  it("do not stay on the host disk, and the Cadre home is private at every start", async () => {
    const task = await h.json<TaskWithAttempts>(["task", "new", "PLANT-SETUID shells", "--repo", "calc", "--wait"]);
    expect(task.status).toBe("completed");
    const planted = (await h.events(task.id)).find((e) => e.type === "tool_result");
    // The bits were set inside the sandbox: the attack ran.
    expect(planted?.type === "tool_result" && planted.output).toMatch(/-rwsr-xr-x.*rootshell/);
    expect(await setIdFiles(join(h.home, "sandboxes"))).toEqual([]);

    // Opened up while the server was down (a careless chmod -R): the next start closes it again.
    await h.server.stop();
    await chmod(h.home, 0o755);
    await h.restart();
    expect((await stat(h.home)).mode & 0o777).toBe(0o700);
  });
});
