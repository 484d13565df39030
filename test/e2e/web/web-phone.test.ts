import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { streamAttemptEvents } from "@cadre/client";
import type { TaskWithAttempts } from "@cadre/protocol";
import { startWebStack, type WebStack } from "./web-stack.ts";
import { screenshot, signedInContext } from "./browser.ts";
import { clippedBars, clippedSplitHalves, horizontalOverflow } from "./layout-checks.ts";

const LONG = `export const banner = "${"a long line that a phone cannot show at once ".repeat(6).trim()}";`;
const WIDE_PATCH = [
  "*** Begin Patch",
  "*** Add File: banner.mjs",
  `+${LONG}`,
  "+export const short = 1;",
  "*** Update File: calc.mjs",
  "@@ export function add(a, b) {",
  "-  return a - b;",
  `+  return a + b; // ${"fixed: it subtracted ".repeat(5).trim()}`,
  "*** End Patch",
  "",
].join("\n");
const SUMMARY = [
  "## Fixed `add()`",
  "",
  "- it **subtracted** instead of adding",
  "- added `banner.mjs`",
  "",
  '<img src="x" onerror="window.__pwned = true">',
].join("\n");

describe("web app on a phone (390×844) and a wide desktop", () => {
  let stack: WebStack;
  let task: TaskWithAttempts;
  let phone: BrowserContext;
  let desktop: BrowserContext;
  let environmentId = "";

  beforeAll(async () => {
    stack = await startWebStack({
      wide: (c) => {
        const plan = {
          name: "update_plan",
          input: {
            plan: [
              { step: "Fix add()", status: "completed" },
              { step: "Add the banner", status: "in_progress" },
            ],
          },
        };
        if (c.step === 0) return { toolCalls: [plan] };
        if (c.step === 1) return { toolCalls: [{ name: "apply_patch", input: WIDE_PATCH }] };
        return { text: SUMMARY };
      },
    });
    const env = await stack.server.client.call("createEnvironment", {
      body: {
        name: "calc-env",
        repoId: (await stack.server.client.call("getRepo", { params: { id: "calc" } })).id,
        testCommand: "node test.mjs",
      },
    });
    environmentId = env.id;
    const created = await stack.server.client.call("createTask", {
      body: { prompt: "Fix add() and add a banner #s-wide", repo: "calc" },
    });
    for await (const e of streamAttemptEvents(stack.server.client, created.attempts[0]!.id, 0))
      if (e.type === "status" && (e.status === "completed" || e.status === "failed")) break;
    task = await stack.server.client.call("getTask", { params: { id: created.id } });
    phone = await signedInContext(stack.browser, stack.server.token, { viewport: { width: 390, height: 844 } });
    desktop = await signedInContext(stack.browser, stack.server.token);
  });

  afterAll(async () => {
    await phone?.close();
    await desktop?.close();
    await stack?.close();
  });

  async function expectFits(page: Page, name: string): Promise<void> {
    await screenshot(page, name);
    expect(await horizontalOverflow(page), name).toEqual({ pageOverflow: 0, offenders: [] });
    expect(await clippedBars(page, ".nav"), name).toEqual([]);
    expect(await clippedBars(page, ".tabs"), name).toEqual([]);
    expect(await clippedBars(page, ".attempt-tabs"), name).toEqual([]);
  }

  it("the task ran in the repo's own environment (preselected), its tests passed", () => {
    expect(task).toMatchObject({ status: "completed", environmentId, testCommand: "node test.mjs" });
    expect(task.attempts[0]?.testsPassed).toBe(true);
  });

  it("the task page fits, and the sidebar's plan, summary, tests, cost and head are one tap away", async () => {
    const page = await phone.newPage();
    await page.goto(`${stack.server.url}/tasks/${task.id}`);
    await page.locator(".md h2", { hasText: "Fixed add()" }).first().waitFor();
    await expectFits(page, "phone-task-activity");
    // The nav's every link is on screen.
    for (const name of ["Tasks", "Repos", "Environments", "Automations"])
      expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).isVisible()).toBe(true);

    await page.getByRole("tab", { name: "Details" }).click();
    const details = page.locator(".details-tab");
    await details.locator(".md h2", { hasText: "Fixed add()" }).waitFor();
    await details.getByText("Add the banner").waitFor();
    const facts = await details.locator("dl.kv").innerText();
    expect(facts).toMatch(/Tests\s+passed/);
    expect(facts).toMatch(/Cost\s+\$/);
    expect(facts).toContain((task.attempts[0]?.headCommit ?? "").slice(0, 8));
    await expectFits(page, "phone-task-details");
    // The model's HTML is shown as text, never run.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(await page.locator(".md img").count()).toBe(0);
    await page.close();
  });

  it("a best-of-2 task's attempt tabs and view tabs all show", async () => {
    const created = await stack.server.client.call("createTask", {
      body: { prompt: "Fix add() and add a banner #s-wide", repo: "calc", attempts: 2 },
    });
    const page = await phone.newPage();
    await page.goto(`${stack.server.url}/tasks/${created.id}?tab=attempts`);
    await page.getByRole("tab", { name: "Attempt 2" }).waitFor();
    await page.getByRole("tab", { name: "Details" }).waitFor();
    await expectFits(page, "phone-task-attempts");
    await page.close();
  });

  it("the diff fits: long lines scroll inside the diff, not the page", async () => {
    const page = await phone.newPage();
    await page.goto(`${stack.server.url}/tasks/${task.id}?tab=diff`);
    await page.locator(".drow-line", { hasText: "a long line" }).first().waitFor();
    await expectFits(page, "phone-task-diff");
    await page.close();
  });

  it("environments, the task list and the new-task form fit", async () => {
    const page = await phone.newPage();
    await page.goto(`${stack.server.url}/environments`);
    await page.getByRole("link", { name: "calc-env" }).waitFor();
    await expectFits(page, "phone-environments");
    // At 320 px the table is wider than the screen with any font: its columns scroll inside the
    // frame; the nav wraps onto another row.
    await page.setViewportSize({ width: 320, height: 844 });
    await expectFits(page, "phone-environments-320");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole("link", { name: "calc-env" }).click();
    await page.getByRole("heading", { name: "calc-env" }).waitFor();
    await expectFits(page, "phone-environment");
    await page.goto(`${stack.server.url}/tasks`);
    await page.locator(`tr[data-task-id='${task.id}']`).waitFor();
    await expectFits(page, "phone-tasks");
    await page.goto(`${stack.server.url}/tasks/new`);
    await page.getByLabel("Prompt").waitFor();
    await expectFits(page, "phone-new-task");
    await page.close();
  });

  it("on a desktop, the split diff shows both columns whole", async () => {
    const page = await desktop.newPage();
    await page.goto(`${stack.server.url}/tasks/${task.id}?tab=diff`);
    await page.getByRole("button", { name: "Split" }).click();
    await page.locator(".drow-split", { hasText: "a long line" }).first().waitFor();
    await screenshot(page, "desktop-diff-split-long-lines");
    expect(await clippedSplitHalves(page)).toBe(0);
    await page.getByRole("button", { name: "Unified" }).click();
    await page.close();
  });
});
