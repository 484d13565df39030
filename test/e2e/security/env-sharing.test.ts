import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Environment, Repo, TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { promptOf, shellStep, turnStep } from "../../support/script-helpers.ts";
import { errorOf, startAccessWorld, type AccessWorld } from "./access-world.ts";

const SECRET = "deploy-s3cret-4471";
const PLAN = "vault-private-plan-5531";

/** A setup script that, like `npm install`, runs code from the repository it sets up. */
const SETUP = [
  'echo "setting up"',
  "if [ -f PLAN.txt ]; then cat PLAN.txt; fi",
  "if [ -f prepare.sh ]; then sh prepare.sh; fi",
].join("\n");

function script(ctx: ScriptContext): Step {
  if (promptOf(ctx).includes("READ-LEAK") && turnStep(ctx) === 0) return shellStep("cat .leak");
  return { text: "done" };
}

/**
 * Holes 4 and 5: a shared environment's secrets ran in any member's repository (the member's
 * repo code reads them during setup), and its setup log showed output of repos the caller cannot see.
 */
describe("security: environments shared across repositories", () => {
  let world: AccessWorld;
  let vault: Repo;
  let mine: Repo;
  let admin: string;
  let mallory: string;
  let max: string;
  let vaultTask: TaskWithAttempts;

  beforeAll(async () => {
    world = await startAccessWorld({ slots: 1, script });
    admin = world.server.token;
    vault = await world.addRepo("vault", { "PLAN.txt": `${PLAN}\n` });
    // The attacker's repository: its prepare step copies the secret, reversed so redaction misses it.
    mine = await world.addRepo("mine", { "prepare.sh": 'printf "%s" "$DEPLOY_TOKEN" | rev > .leak\n' });
    mallory = await world.addUser("mallory", "member", ["mine"]);
    max = await world.addUser("max", "member", ["vault", "mine"]);
    const shared = await world.call(admin, "POST", "/environments", {
      name: "ci-shared",
      setupScript: SETUP,
      secrets: { DEPLOY_TOKEN: SECRET },
    });
    expect(shared.status, shared.text).toBe(201);
    const tied = await world.call(admin, "POST", "/environments", {
      name: "vault-env",
      repoId: vault.id,
      setupScript: SETUP,
      secrets: { DEPLOY_TOKEN: SECRET },
    });
    expect(tied.status, tied.text).toBe(201);
    // The admin lets the vault use the shared environment (servers before the allow list let every repo use it).
    await world.call(admin, "PATCH", "/environments/ci-shared", { allowedRepoIds: [vault.id] });
    const created = await world.call(admin, "POST", "/tasks", {
      prompt: "look around",
      repo: "vault",
      environment: "ci-shared",
    });
    expect(created.status, created.text).toBe(201);
    vaultTask = await world.settled(admin, (created.body as TaskWithAttempts).id);
    expect(vaultTask.status).toBe("completed");
  });
  afterAll(async () => world?.stop());

  it("the setup log of a shared environment shows nothing from a repository the caller cannot see", async () => {
    const asAdmin = await world.call(admin, "GET", "/environments/ci-shared/setup-log");
    expect(asAdmin.text).toContain(PLAN);
    const asMallory = await world.call(mallory, "GET", "/environments/ci-shared/setup-log");
    expect(asMallory.status).toBe(200);
    expect(asMallory.text).not.toContain(PLAN);
    expect(asMallory.text).not.toContain(vaultTask.id);
    expect(asMallory.body).toMatchObject({ taskId: null, log: "" });
    // max may see the vault, so he sees its log
    expect((await world.call(max, "GET", "/environments/ci-shared/setup-log")).text).toContain(PLAN);
  });

  it("a member cannot run a shared environment's secrets in their own repository", async () => {
    const answer = await world.call(mallory, "POST", "/tasks", {
      prompt: "READ-LEAK",
      repo: "mine",
      environment: "ci-shared",
    });
    expect(answer.status, answer.text).toBe(403);
    expect(errorOf(answer).message).toMatch(/ci-shared.*not allowed on repo 'mine'.*--allow-repo mine/);
    const listed = await world.call(mallory, "GET", "/tasks");
    expect((listed.body as { items: unknown[] }).items).toEqual([]);
  });

  it("nor another repository's environment, even with access to both", async () => {
    const answer = await world.call(max, "POST", "/tasks", {
      prompt: "READ-LEAK",
      repo: "mine",
      environment: "vault-env",
    });
    expect(answer.status, answer.text).toBe(403);
    expect(errorOf(answer).message).toMatch(/vault-env.*belongs to repo 'vault'/);
    // by id as by name
    const env = (await world.call(max, "GET", "/environments/vault-env")).body as Environment;
    const byId = await world.call(max, "POST", "/tasks", { prompt: "READ-LEAK", repo: mine.id, environment: env.id });
    expect(byId.status).toBe(403);
  });

  it("only an admin allows an environment on other repositories, and only an admin attaches a shared one", async () => {
    const attempts: [string, string, string, unknown][] = [
      [mallory, "PATCH", "/environments/ci-shared", { allowedRepoIds: [mine.id] }],
      [max, "PATCH", "/environments/vault-env", { allowedRepoIds: [mine.id] }],
      [max, "POST", "/environments", { name: "sneaky", repoId: mine.id, allowedRepoIds: [vault.id] }],
      [mallory, "PATCH", "/environments/ci-shared", { repoId: mine.id }],
    ];
    for (const [token, method, path, body] of attempts) {
      const answer = await world.call(token, method, path, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}: ${answer.text}`).toBe(403);
    }
    // an environment of a repo mallory cannot see is not there for her
    expect((await world.call(mallory, "PATCH", "/environments/vault-env", { repoId: mine.id })).status).toBe(404);
    const unchanged = (await world.call(admin, "GET", "/environments/vault-env")).body as Environment;
    expect(unchanged).toMatchObject({ repoId: vault.id, allowedRepoIds: [] });
    expect(((await world.call(admin, "GET", "/environments/ci-shared")).body as Environment).allowedRepoIds).toEqual([
      vault.id,
    ]);
  });

  it("once an admin allows a repository its tasks use the environment; taking it back stops their follow-ups", async () => {
    const allowed = await world.call(admin, "PATCH", "/environments/ci-shared", {
      allowedRepoIds: [vault.id, mine.id],
    });
    expect(allowed.status, allowed.text).toBe(200);
    const created = await world.call(mallory, "POST", "/tasks", {
      prompt: "look",
      repo: "mine",
      environment: "ci-shared",
    });
    expect(created.status, created.text).toBe(201);
    const task = await world.settled(mallory, (created.body as TaskWithAttempts).id);
    expect(task.status).toBe("completed");
    // her setup log is now her own run's
    const log = await world.call(mallory, "GET", "/environments/ci-shared/setup-log");
    expect(log.body).toMatchObject({ taskId: task.id });
    expect(log.text).not.toContain(PLAN);

    await world.call(admin, "PATCH", "/environments/ci-shared", { allowedRepoIds: [vault.id] });
    const followup = await world.call(mallory, "POST", `/tasks/${task.id}/followup`, { text: "again" });
    expect(followup.status, followup.text).toBe(403);
    expect(errorOf(followup).message).toMatch(/not allowed on repo 'mine'/);
  });
});
