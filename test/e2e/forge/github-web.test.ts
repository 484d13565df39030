import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { Repo, TaskWithAttempts } from "@cadre/protocol";
import { CadreController } from "../../../apps/vscode/src/core/cadre-controller.ts";
import { TaskStore } from "../../../apps/vscode/src/core/task-store.ts";
import { FakeEditorUi } from "../editor/fake-editor-ui.ts";
import { addFile, patchStep, promptOf, turnStep } from "../../support/script-helpers.ts";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import type { RepoState } from "../../support/github-double/index.ts";
import { launchChromium, screenshot, signedInContext } from "../web/browser.ts";
import { horizontalOverflow } from "../web/layout-checks.ts";
import { ensureWebBuilt } from "../web/ensure-built.ts";
import { CALC_FILES, expectNoProblems, startForgeWorld, type ForgeWorld } from "./forge-world.ts";

function script(ctx: ScriptContext): Step {
  const file = /ADD (\S+)/.exec(promptOf(ctx))?.[1];
  if (!file) return { text: "Nothing to do." };
  return turnStep(ctx) === 0 ? patchStep(addFile(file, `${file}\n`)) : { text: `Added ${file}.` };
}

describe("web app and VS Code: forges on the Repos page, and Create pull request", () => {
  let world: ForgeWorld;
  let repo: RepoState;
  let cadreRepo: Repo;
  let browser: Browser;
  let ctx: BrowserContext;

  beforeAll(async () => {
    ensureWebBuilt();
    world = await startForgeWorld({ script });
    ({ state: repo, repo: cadreRepo } = await world.addRepo("acme/calc"));
    browser = await launchChromium();
    ctx = await signedInContext(browser, world.h.server.token);
  });
  afterAll(async () => {
    await ctx?.close();
    await browser?.close();
    await world?.stop();
  });

  const runTask = async (prompt: string): Promise<TaskWithAttempts> => {
    const run = await world.h.cli(["task", "new", prompt, "--repo", "calc", "--wait", "--json"]);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as TaskWithAttempts;
  };
  const approveDialog = async (page: Page, taskId: string) => {
    await page.goto(`${world.h.server.url}/tasks/${taskId}`);
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Approve attempt 1" });
    await dialog.getByRole("radio", { name: /Create pull request/ }).check();
    return dialog;
  };

  it("lists the forge with its webhook URL, and each repo's place on it", async () => {
    const page = await ctx.newPage();
    await page.goto(`${world.h.server.url}/repos`);
    const forges = page.getByRole("table", { name: "Forges" });
    const row = forges.locator("tr[data-forge=gh]");
    await row.waitFor();
    expect(await row.innerText()).toContain(world.forge.webhookUrl);
    expect(await row.innerText()).toContain("a token");
    await page.getByRole("table", { name: "Repos" }).getByText("gh: acme/calc").waitFor();
    await page.close();
  });

  it("an admin adds a forge from the form (a refused token saves nothing) and removes it after confirming (its repo stays, on no forge)", async () => {
    const page = await ctx.newPage();
    await page.goto(`${world.h.server.url}/repos`);
    await page.getByRole("button", { name: "Add forge" }).click();
    const form = page.getByRole("form", { name: "Add forge" });
    await form.getByLabel("Forge name").fill("ghe");
    await form.getByLabel("API URL").fill(world.gh.apiUrl);
    await form.getByLabel("Token", { exact: true }).fill("ghp_not-a-token-github-knows");
    await form.getByLabel("Webhook secret").fill("whsec-form-added-forge");
    await form.getByLabel("Bot name").fill("cadre-ghe");
    await form.getByRole("button", { name: "Add forge" }).click();
    const refusal = form.getByRole("alert");
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain("Nothing was saved");
    expect((await world.h.server.client.call("listForges")).items.map((forge) => forge.name)).toEqual(["gh"]);

    const token = world.gh.createToken("cadre-ghe");
    world.secrets.push(token, "whsec-form-added-forge");
    await form.getByLabel("Token", { exact: true }).fill(token);
    await form.getByRole("button", { name: "Add forge" }).click();
    const connected = page.getByRole("dialog", { name: "Forge connected" });
    const webhookUrl = world.forge.webhookUrl.replace("/forges/gh/", "/forges/ghe/");
    expect(await connected.getByLabel("Webhook URL").inputValue()).toBe(webhookUrl);
    expect(await connected.innerText()).toContain("Settings → Webhooks");
    await screenshot(page, "add-forge-connected");
    await connected.getByRole("button", { name: "Done" }).click();
    const row = page.getByRole("table", { name: "Forges" }).locator("tr[data-forge=ghe]");
    await row.waitFor();
    expect(await row.innerText()).toContain(webhookUrl);
    const stored = await world.h.server.client.call("getForge", { params: { name: "ghe" } });
    expect(stored).toMatchObject({ apiUrl: world.gh.apiUrl, botName: "cadre-ghe", auth: { kind: "token" } });

    const site = await world.gh.createRepo("acme/site", { files: CALC_FILES, collaborators: { "cadre-ghe": "write" } });
    const added = await world.h.cli(["repo", "add", world.gh.cloneUrl(site), "--forge", "ghe", "--name", "site"]);
    expect(added.code, added.stderr).toBe(0);
    await page.reload();
    await row.getByRole("button", { name: "Remove forge ghe" }).click();
    const confirm = page.getByRole("dialog", { name: "Remove forge ghe?" });
    expect(await confirm.innerText()).toContain("site stays as a plain git repo");
    await confirm.getByRole("button", { name: "Keep it" }).click();
    await confirm.waitFor({ state: "detached" });
    expect((await world.h.server.client.call("listForges")).items.map((forge) => forge.name)).toEqual(["gh", "ghe"]);
    await row.getByRole("button", { name: "Remove forge ghe" }).click();
    await confirm.getByRole("button", { name: "Remove forge" }).click();
    await row.waitFor({ state: "detached" });
    expect((await world.h.server.client.call("listForges")).items.map((forge) => forge.name)).toEqual(["gh"]);
    expect((await world.h.server.client.call("getRepo", { params: { id: "site" } })).forge).toBeNull();
    await page.getByRole("table", { name: "Repos" }).locator("tr", { hasText: "site" }).getByText("—").waitFor();
    await page.close();
  });

  it("the forges and the Add forge form fit a phone", async () => {
    const page = await ctx.newPage();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${world.h.server.url}/repos`);
    await page.getByRole("table", { name: "Forges" }).locator("tr[data-forge=gh]").waitFor();
    expect(await horizontalOverflow(page)).toEqual({ pageOverflow: 0, offenders: [] });
    await page.getByRole("button", { name: "Add forge" }).click();
    await page.getByRole("radio", { name: "A GitHub App" }).check();
    await page.getByLabel("Private key").waitFor();
    expect(await horizontalOverflow(page)).toEqual({ pageOverflow: 0, offenders: [] });
    await screenshot(page, "add-forge-phone");
    await page.close();
  });

  it("Create pull request opens a draft on GitHub and the task shows it", async () => {
    const task = await runTask("ADD web.txt from the web");
    const page = await ctx.newPage();
    const dialog = await approveDialog(page, task.id);
    await dialog.getByLabel("Open as a draft").check();
    await screenshot(page, "approve-dialog-create-pull-request");
    await dialog.getByRole("button", { name: "Create pull request" }).click();
    const line = page.locator(".review-line", { hasText: "opened as pull request #" });
    await line.waitFor();
    const [pr] = [...repo.threads.values()].filter((t) => t.pull);
    expect(pr?.title).toBe(task.title);
    expect(pr?.pull?.draft).toBe(true);
    expect(await line.getByRole("link", { name: `pull request #${pr?.number}` }).getAttribute("href")).toBe(
      `${world.gh.webUrl}/acme/calc/pull/${pr?.number}`,
    );
    await page.close();
  });

  it("VS Code: Approve offers Create draft pull request on a forge's repo, and opens it", async () => {
    const task = await runTask("ADD editor.txt from VS Code");
    const ui = new FakeEditorUi();
    const client = world.h.server.client;
    const store = new TaskStore(client, cadreRepo.id);
    const controller = new CadreController({ client, ui, root: world.h.work, repo: cadreRepo, store });
    let offered: string[] = [];
    ui.picks.push(
      (items) => {
        offered = items.map((i) => i.label);
        return items.find((i) => i.value === "draft")?.value;
      },
      (items) => items.find((i) => i.value === "all")?.value,
    );
    const approved = await controller.approve(task.id);
    expect(offered).toContain("Create pull request");
    expect(approved?.review.delivery).toMatchObject({ kind: "pull_request", state: "open" });
    const pr = [...repo.threads.values()].find((t) => t.title === task.title);
    expect(pr?.pull?.draft).toBe(true);
    expect(world.gh.show(repo, pr?.pull?.headRef ?? "", "editor.txt")).toBe("editor.txt\n");
  });

  it("a revoked token: the dialog says what to do, and the forge's row shows it", async () => {
    const task = await runTask("ADD second.txt from the web");
    world.gh.state.tokens.delete(world.h.env.GH_TOKEN as string);
    const page = await ctx.newPage();
    const dialog = await approveDialog(page, task.id);
    await dialog.getByRole("button", { name: "Create pull request" }).click();
    const alert = dialog.getByRole("alert");
    await alert.waitFor();
    expect(await alert.innerText()).toContain("cadre forge update gh --token-env");
    await page.goto(`${world.h.server.url}/repos`);
    const status = page.getByRole("table", { name: "Forges" }).locator("tr[data-forge=gh]").getByRole("alert");
    await status.waitFor();
    expect(await status.innerText()).toContain("the credentials were refused");
    await screenshot(page, "forges-revoked-token");
    expect([...repo.threads.values()].filter((t) => t.pull)).toHaveLength(2);
    expectNoProblems(world);
    await page.close();
  });
});
