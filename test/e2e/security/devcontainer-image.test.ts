import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment, Event, Repo, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";
import { testImages } from "../../support/test-images.ts";
import { startAccessWorld, type AccessWorld } from "./access-world.ts";

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("SHOW-ROOT") && turnStep(ctx) === 0)
    return shellStep('echo "ROOT-IS $(. /etc/os-release; echo "${VARIANT_ID:-host}")"');
  return { text: "done" };
}

// At the repository's top (addRepo writes files, not directories): Cadre reads either place.
const devcontainer = (image: string): Record<string, string> => ({ ".devcontainer.json": JSON.stringify({ image }) });

/**
 * A member names image files on the server only under CADRE_LOCAL_REPO_ROOTS; a repository's
 * devcontainer.json (written by whoever pushes to it) named any image file the runner could read,
 * and its files became the sandbox's whole system.
 */
describe("security: image files named by a repository's devcontainer.json", () => {
  let world: AccessWorld;
  let open: string;
  let member: string;
  let outside: Repo;
  let inside: Repo;

  beforeAll(async () => {
    const images = await testImages();
    open = await mkdtemp(join(tmpdir(), "cadre-open-roots-"));
    await copyFile(images.luaArchive, join(open, "lua.tar"));
    world = await startAccessWorld({ slots: 1, script, env: { CADRE_LOCAL_REPO_ROOTS: open } });
    // The image in the machine's cache: the server can read it, no member was given it.
    outside = await world.addRepo("outside", devcontainer(`oci-archive:${images.luaArchive}:lua`));
    inside = await world.addRepo("inside", devcontainer(`oci-archive:${join(open, "lua.tar")}:lua`));
    member = await world.addUser("mallory", "member", ["outside", "inside"]);
  }, 900_000);
  afterAll(async () => {
    await world?.stop();
    await rm(open, { recursive: true, force: true });
  });

  async function runOn(repo: Repo): Promise<{ task: TaskWithAttempts; output: string }> {
    const env = await world.call(member, "POST", "/environments", {
      name: `dc-${repo.name}`,
      repoId: repo.id,
      image: "devcontainer",
    });
    expect(env.status, env.text).toBe(201);
    const created = await world.call(member, "POST", "/tasks", {
      prompt: "SHOW-ROOT",
      repo: repo.name,
      environment: (env.body as Environment).name,
    });
    expect(created.status, created.text).toBe(201);
    const task = await world.settled(member, (created.body as TaskWithAttempts).id);
    const events = await world.call(member, "GET", `/attempts/${task.attempts[0]?.id}/events`);
    expect(events.status, events.text).toBe(200);
    const list = (events.body as { items: Event[] }).items;
    return { task, output: list.map((e) => (e.type === "command_output" ? e.chunk : "")).join("") };
  }

  it("an image file outside the directories opened to members fails setup, naming the rule", async () => {
    const { task, output } = await runOn(outside);
    const attempt = task.attempts[0];
    expect(attempt?.status, output).toBe("failed");
    expect(attempt?.failureReason).toBe("setup_failed");
    expect(attempt?.failureMessage).toContain("devcontainer.json");
    expect(attempt?.failureMessage).toContain("CADRE_LOCAL_REPO_ROOTS");
    expect(output).not.toContain("ROOT-IS cadre-lua");
  });

  it("one under those directories is the sandbox's system", async () => {
    const { task, output } = await runOn(inside);
    expect(task.status, JSON.stringify(task.attempts[0])).toBe("completed");
    expect(output).toContain("ROOT-IS cadre-lua");
  });
});
