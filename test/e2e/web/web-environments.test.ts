/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser and needs the DOM types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rm } from "node:fs/promises";
import type { BrowserContext } from "playwright-core";
import { startWebStack, type WebStack } from "./web-stack.ts";
import { screenshot, signedInContext } from "./browser.ts";
import { createFixtureRepo } from "../../support/fixture-repo.ts";

const SECRET = "s3cr3t-value-8841";
const NEW_SECRET = "n3w-s3cr3t-5527";

describe("web app: repos and environments", () => {
  let stack: WebStack;
  let ctx: BrowserContext;
  let extraRepo: string;

  beforeAll(async () => {
    stack = await startWebStack({ env: () => ({ text: "Looked around; nothing to change." }) });
    ctx = await signedInContext(stack.browser, stack.server.token);
    extraRepo = `${stack.origin}-second`;
    await createFixtureRepo(extraRepo);
  });

  afterAll(async () => {
    await ctx?.close();
    await stack?.close();
    await rm(extraRepo, { recursive: true, force: true });
  });

  it("adds a repo from the Repos page", async () => {
    const page = await ctx.newPage();
    await page.goto(`${stack.server.url}/repos`);
    await page.getByLabel("Repo path or URL").fill(extraRepo);
    await page.getByLabel("Repo name").fill("second");
    await page.getByRole("button", { name: "Add repo" }).click();
    await page.getByRole("table", { name: "Repos" }).getByText("second", { exact: true }).waitFor();
    const repos = await stack.server.client.call("listRepos");
    expect(repos.items.map((r) => r.name).sort()).toEqual(["calc", "second"]);
    await page.close();
  });

  it("creates an environment with a secret that is never shown again, edits it, and shows the setup log", async () => {
    const page = await ctx.newPage();
    await page.goto(`${stack.server.url}/environments/new`);
    await page.getByLabel("Environment name").fill("node-env");
    await page.getByLabel("Environment repo").selectOption({ label: "calc" });
    await page.getByLabel("Setup script").fill("echo setting-up-node-env; echo key=$API_KEY");
    await page.getByLabel("Variables").fill("FOO=bar");
    await page.getByLabel("Secret name").fill("API_KEY");
    await page.getByLabel("Secret value").fill(SECRET);
    await page.getByRole("button", { name: "Add secret" }).click();
    await page.getByRole("radio", { name: "Network allowlist" }).check();
    await page.getByLabel("Allowed domains").fill("registry.npmjs.org\n*.example.com");
    await page.getByLabel("Memory").fill("2048");
    await page.getByRole("button", { name: "Create environment" }).click();
    await page.waitForURL(/\/environments\/env_/);
    await page.locator(".secret-row[data-secret='API_KEY']").waitFor();

    const check = async () => {
      await page.reload();
      await page.locator(".secret-row[data-secret='API_KEY'] .secret-mask").waitFor();
      const html = await page.content();
      expect(html).not.toContain(SECRET);
      expect(html).not.toContain(NEW_SECRET);
      const values = await page.locator("input").evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
      expect(values.join("\n")).not.toMatch(/s3cr3t/);
    };
    await check();
    const env = await stack.server.client.call("getEnvironment", { params: { id: "node-env" } });
    expect(env.secretNames).toEqual(["API_KEY"]);
    expect(env.networkPolicy).toMatchObject({ mode: "allowlist", allow: ["registry.npmjs.org", "*.example.com"] });
    expect(env.limits.memoryMb).toBe(2048);
    expect(env.variables).toEqual({ FOO: "bar" });
    expect(JSON.stringify(env)).not.toContain(SECRET);

    // Replace the secret: the new value is written, and shown nowhere either.
    await page.getByRole("button", { name: "Replace API_KEY" }).click();
    await page.getByLabel("New value for API_KEY").fill(NEW_SECRET);
    await page.getByLabel("New value for API_KEY").press("Control+Enter");
    await page.getByRole("status").getByText("Saved.").waitFor();
    await check();
    expect(await page.getByLabel("Allowed domains").inputValue()).toBe("registry.npmjs.org\n*.example.com");
    await screenshot(page, "environment-secret-masked");

    // A task with the environment runs its setup; the page shows that run's log with the secret redacted.
    const created = await stack.server.client.call("createTask", {
      body: { prompt: "Look around #s-env", repo: "calc", environment: "node-env" },
    });
    for (let i = 0; i < 120; i++) {
      const t = await stack.server.client.call("getTask", { params: { id: created.id } });
      if (t.status === "completed" || t.status === "failed") break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await page.reload();
    const log = page.getByRole("region", { name: "Setup log" }).locator(".setup-log");
    await log.waitFor();
    expect(await log.textContent()).toContain("setting-up-node-env");
    expect(await page.content()).not.toContain(NEW_SECRET);
    await page.getByRole("region", { name: "Setup log" }).scrollIntoViewIfNeeded();
    await screenshot(page, "environment-setup-log");
    await page.close();
  });
});
