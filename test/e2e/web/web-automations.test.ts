import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext } from "playwright-core";
import { startWebStack, type WebStack } from "./web-stack.ts";
import { signedInContext } from "./browser.ts";

describe("web app: automations", () => {
  let stack: WebStack;
  let ctx: BrowserContext;

  beforeAll(async () => {
    stack = await startWebStack({ alert: () => ({ text: "Looked at the alert; nothing to change." }) });
    ctx = await signedInContext(stack.browser, stack.server.token);
  });
  afterAll(async () => {
    await ctx?.close();
    await stack?.close();
  });

  it("adds an automation from the page, shows its fire token once, lists its run, pauses and resumes it", async () => {
    const page = await ctx.newPage();
    await page.goto(`${stack.server.url}/automations`);
    await page.getByText("No automations yet").waitFor();
    await page.getByLabel("Automation name").fill("pager");
    await page.getByLabel("Starts on").selectOption("fire");
    await page.getByLabel("Prompt").fill("An alert fired. #s-alert");
    await page.getByRole("button", { name: "Add automation" }).click();
    const shown = page.getByRole("status", { name: "Fire URL and token" });
    await shown.waitFor();
    const text = (await shown.textContent()) ?? "";
    const url = /POST (\S+\/fire)/.exec(text)?.[1];
    const token = /Bearer (cadre_fire_\S+)/.exec(text)?.[1];
    expect(url).toMatch(/\/api\/v1\/automations\/auto_\w+\/fire$/);
    expect(token).toBeTruthy();

    const fired = await fetch(url as string, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ text: "db-1 is slow" }),
    });
    expect(fired.status).toBe(202);
    const { run } = (await fired.json()) as { run: { taskId: string } };
    const table = page.getByRole("table", { name: "Automations" });
    await table.getByRole("link", { name: "fired: db-1 is slow" }).waitFor();
    expect(await table.getByRole("link", { name: "fired: db-1 is slow" }).getAttribute("href")).toBe(
      `/tasks/${run.taskId}`,
    );

    await table.getByRole("button", { name: "Pause" }).click();
    await table.getByText("Paused: paused by admin").waitFor();
    expect((await stack.server.client.call("getAutomation", { params: { id: "pager" } })).state).toBe("paused");
    await table.getByRole("button", { name: "Resume" }).click();
    await table.getByRole("button", { name: "Pause" }).waitFor();
    expect((await stack.server.client.call("getAutomation", { params: { id: "pager" } })).state).toBe("active");

    // The task names the automation it came from.
    await page.goto(`${stack.server.url}/tasks/${run.taskId}`);
    await page.getByRole("link", { name: "Started by an automation" }).waitFor();
    expect(await page.getByRole("link", { name: "Started by an automation" }).textContent()).toBe(
      "automation pager: fired: db-1 is slow",
    );
    // A reload shows the automation without its token.
    await page.goto(`${stack.server.url}/automations`);
    await page.getByRole("table", { name: "Automations" }).getByText("pager").waitFor();
    expect(await page.content()).not.toContain(token as string);
    await page.close();
  });
});
