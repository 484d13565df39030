import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Event, Forge, TaskWithAttempts } from "@cadre/protocol";
import { join } from "node:path";
import { createFixtureRepo } from "../../support/fixture-repo.ts";
import { addFile, patchStep, promptOf, turnStep } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState } from "../../support/github-double/index.ts";
import {
  CALC_FILES,
  expectNoProblems,
  startForgeWorld,
  until,
  WEBHOOK_SECRET,
  type ForgeWorld,
} from "./forge-world.ts";

/** Opened by the test once the token is revoked: the task finishes only then. */
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

/** Each prompt names the file its task adds; the revoked-token task waits at the gate before it ends. */
function script(ctx: ScriptContext): Step {
  const file = /ADD (\S+)/.exec(promptOf(ctx))?.[1];
  if (!file) return { text: "Nothing to do." };
  if (turnStep(ctx) === 0) return patchStep(addFile(file, `${file}\n`));
  return { text: `Added ${file}.`, ...(file === "revoked.txt" ? { until: gate } : {}) };
}

describe("GitHub delivery by hand, by polling, and when the forge refuses Cadre", () => {
  let world: ForgeWorld;
  let repo: RepoState;

  beforeAll(async () => {
    world = await startForgeWorld({ script });
    ({ state: repo } = await world.addRepo("acme/calc"));
  });
  afterAll(async () => world?.stop());

  const pulls = (state: RepoState) => [...state.threads.values()].filter((t) => t.pull);
  const runTask = async (prompt: string): Promise<TaskWithAttempts> => {
    const run = await world.h.cli(["task", "new", prompt, "--repo", "calc", "--wait", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as TaskWithAttempts;
  };

  it("cadre approve --pr --draft --base opens a draft pull request with the task's title, summary, files and test result", async () => {
    world.gh.gitIn(repo, "branch", "release", "main");
    const task = await runTask("ADD notes.txt for the release");
    const approved = await world.h.json<TaskWithAttempts>(["approve", task.id, "--pr", "--draft", "--base", "release"]);
    const delivery = approved.review.delivery;
    expect(delivery).toMatchObject({ kind: "pull_request", state: "open", branch: expect.stringMatching(/^cadre\//) });
    if (delivery?.kind !== "pull_request") throw new Error("no pull request");
    const [pr] = pulls(repo);
    expect(pr?.number).toBe(delivery.number);
    expect(delivery.url).toBe(`${world.gh.webUrl}/acme/calc/pull/${delivery.number}`);
    expect(pr?.title).toBe(task.title);
    expect(pr?.pull).toMatchObject({
      draft: true,
      baseRef: "release",
      headRef: delivery.branch,
      headSha: delivery.commit,
    });
    expect(pr?.body).toContain("Added notes.txt.");
    expect(pr?.body).toContain("`notes.txt` (+1 −0)");
    expect(pr?.body).toContain("**Tests**: not run");
    expect(pr?.body).toContain(`${world.h.server.url}/tasks/${task.id}`);
    expect(pr?.body).not.toContain("Closes #");
    expect(world.gh.show(repo, delivery.branch, "notes.txt")).toBe("notes.txt\n");
    const again = await world.h.cli(["approve", task.id, "--pr"]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain(`already has pull request #${delivery.number}`);
    expectNoProblems(world);
  });

  it("--pr on a repo on no forge advises in words every surface can follow, and the CLI adds its command", async () => {
    const plain = await createFixtureRepo(join(world.h.work, "plain"));
    expect((await world.h.cli(["repo", "add", plain.path, "--name", "plain"])).code).toBe(0);
    const run = await world.h.cli(["task", "new", "ADD plain.txt", "--repo", "plain", "--wait", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const task = JSON.parse(run.stdout) as TaskWithAttempts;
    const refused = await world.h.cli(["approve", task.id, "--pr"]);
    expect(refused.code).not.toBe(0);
    const [message, command] = refused.stderr.trim().split("\n");
    expect(message).toContain("nowhere to open a pull request: push the change as a new branch instead");
    expect(message).not.toContain("--");
    expect(command?.trim()).toBe(`run: cadre approve ${task.id} --push-branch`);
  });

  it("--poll: a forge webhooks cannot reach finds a mention through the API and answers with a pull request", async () => {
    const polled = await world.gh.createRepo("acme/polled", {
      files: CALC_FILES,
      collaborators: { "cadre-poll": "write", alice: "write" },
    });
    const env = { ...world.h.env, POLL_TOKEN: world.gh.createToken("cadre-poll"), POLL_SECRET: WEBHOOK_SECRET };
    world.h.env = env;
    const forge = await world.h.json<Forge>([
      "forge",
      "add",
      "polling",
      "--kind",
      "github",
      "--api-url",
      world.gh.apiUrl,
      "--token-env",
      "POLL_TOKEN",
      "--webhook-secret-env",
      "POLL_SECRET",
      "--poll",
      "10",
    ]);
    expect(forge.pollSeconds).toBe(10);
    await world.h.json(["repo", "add", world.gh.cloneUrl(polled), "--forge", "polling", "--name", "polled"]);
    expect(polled.hooks).toEqual([]);
    const { thread } = await world.gh.openIssue(polled, "alice", "Needs a changelog", "There is none.");
    const { deliveries } = await world.gh.comment(polled, "alice", thread.number, "@cadre ADD CHANGELOG.md");
    expect(deliveries).toEqual([]);
    const [pr] = await until("the polled mention's pull request", () => {
      const found = pulls(polled);
      return found.length ? found : null;
    });
    expect(pr?.body).toContain(`Closes #${thread.number}`);
    expect(world.gh.show(polled, pr?.pull?.headRef ?? "", "CHANGELOG.md")).toBe("CHANGELOG.md\n");
    await until("the link on the issue", () =>
      thread.comments.find((c) => c.body.includes(`Opened pull request #${pr?.number}`)),
    );
    const tasks = (await world.tasks()).filter((t) => t.origin?.kind === "forge" && t.origin.forge === "polling");
    expect(tasks).toHaveLength(1);
    expectNoProblems(world);
  });

  it("a revoked token shows on the forge and in the task's activity with what to do; a new one finishes the work", async () => {
    const { thread } = await world.gh.openIssue(repo, "alice", "Needs a licence", "There is none.");
    await world.gh.comment(repo, "alice", thread.number, "@cadre ADD revoked.txt");
    const task = await until("the mention's task", async () =>
      (await world.tasks()).find((t) => t.origin?.kind === "forge" && t.origin.thread.number === thread.number),
    );
    // The agent is at its last step: GitHub stops taking Cadre's token now.
    const token = world.h.env.GH_TOKEN as string;
    world.gh.state.tokens.delete(token);
    openGate();
    const notice = await until("the notice on the task", async () =>
      (await world.h.events(task.id)).find(
        (e): e is Extract<Event, { type: "notice" }> => e.type === "notice" && e.level === "error",
      ),
    );
    expect(notice.message).toContain("the credentials were refused");
    expect(notice.message).toContain("cadre forge update gh");
    const shown = await world.h.json<Forge>(["forge", "show", "gh"]);
    expect(shown.status.state).toBe("error");
    expect(shown.status.message).toContain("cadre forge update gh");
    expect(pulls(repo).filter((t) => t.body.includes(`Closes #${thread.number}`))).toEqual([]);

    const fresh = world.gh.createToken("cadre-bot");
    world.h.env = { ...world.h.env, GH_TOKEN: fresh };
    world.secrets.push(fresh);
    await world.h.json(["forge", "update", "gh", "--token-env", "GH_TOKEN"]);
    await until("the pull request once the token works", () =>
      pulls(repo).find((t) => t.body.includes(`Closes #${thread.number}`)),
    );
    expect((await world.h.json<Forge>(["forge", "show", "gh"])).status.state).toBe("ok");
    expectNoProblems(world);
  });
});
