/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser and needs the DOM types.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { startWebStack, type WebStack } from "./web-stack.ts";
import { screenshot, signedInContext } from "./browser.ts";
import { unnamedControls } from "./a11y.ts";

const QUESTION = "Should add() keep accepting numeric strings?";

async function createTaskFromForm(
  page: Page,
  url: string,
  prompt: string,
  opts: { attempts?: number; mode?: "Plan" } = {},
): Promise<string> {
  await page.goto(`${url}/tasks/new`);
  await page.getByLabel("Prompt").fill(prompt);
  await page.getByLabel("Repo").selectOption("calc");
  if (opts.mode) await page.getByRole("radio", { name: `${opts.mode} mode` }).check();
  if (opts.attempts) await page.getByLabel("Attempts").fill(String(opts.attempts));
  // Keyboard submit: Ctrl+Enter in the prompt.
  await page.getByLabel("Prompt").press("Control+Enter");
  await page.waitForURL(/\/tasks\/task_[A-Za-z0-9]+/);
  return new URL(page.url()).pathname.split("/").pop() as string;
}

describe("web app: sign-in, live tasks, questions", () => {
  let stack: WebStack;

  beforeAll(async () => {
    stack = await startWebStack({
      live: (ctx) => {
        if (ctx.step === 0)
          return {
            text: "Running the tests first.",
            toolCalls: [{ name: "shell", input: { command: "echo hello-from-cadre; node test.mjs" } }],
          };
        // Prints, then keeps running until the test cancels the task.
        if (ctx.step === 1)
          return {
            toolCalls: [
              { name: "shell", input: { command: "echo tick-1; sleep 1; echo tick-2; sleep 120; echo never" } },
            ],
          };
        return { text: "done" };
      },
      plan: (ctx) => {
        if (ctx.step === 0)
          return {
            toolCalls: [
              {
                name: "update_plan",
                input: {
                  explanation: "Two small steps.",
                  plan: [
                    { step: "Fix add()", status: "pending" },
                    { step: "Run the tests", status: "pending" },
                  ],
                },
              },
            ],
          };
        if (ctx.step === 1) return { text: "Plan: fix add(), then run the tests." };
        if (ctx.step === 2) return { text: "Carried out the plan." };
        return { text: "Follow-up done." };
      },
      ask: (ctx, userTexts) => {
        if (ctx.step === 0)
          return {
            text: "One decision first.",
            toolCalls: [
              {
                name: "request_user_input",
                input: { questions: [{ question: QUESTION, options: ["Numbers only", "Keep strings"] }] },
              },
            ],
          };
        return { text: `Understood: ${userTexts[userTexts.length - 1] ?? ""}. Nothing else to change.` };
      },
    });
  });

  afterAll(async () => {
    await stack?.close();
  });

  it("shows a clear sign-in screen, refuses a wrong token and keeps the right one", async () => {
    const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await page.goto(stack.server.url);
    await expect.poll(() => page.getByRole("heading", { name: "Sign in" }).isVisible()).toBe(true);
    await page.getByLabel("Token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("token was refused");
    await screenshot(page, "sign-in-refused");

    await page.getByLabel("Token").fill(stack.server.token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("cadre.token"))).toBe(stack.server.token);
    // A reload stays signed in.
    await page.reload();
    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    // Signing out returns to the sign-in screen and forgets the token.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    expect(await page.evaluate(() => localStorage.getItem("cadre.token"))).toBeNull();
    await ctx.close();

    // A link carrying the token signs in at once and takes the token out of the address bar.
    const linkCtx = await stack.browser.newContext();
    const linked = await linkCtx.newPage();
    await linked.goto(`${stack.server.url}/tasks#token=${encodeURIComponent(stack.server.token)}`);
    await linked.getByRole("heading", { name: "Tasks" }).waitFor();
    expect(linked.url()).not.toContain("token");
    await linkCtx.close();
  });

  it("creates a task from the form, streams its commands live, and updates the list without reloading", async () => {
    const ctx = await signedInContext(stack.browser, stack.server.token);
    const list = await ctx.newPage();
    await list.goto(`${stack.server.url}/tasks`);
    await list.getByRole("heading", { name: "Tasks" }).waitFor();
    await list.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));

    const page = await ctx.newPage();
    const id = await createTaskFromForm(page, stack.server.url, "The tests fail: find out why #s-live");

    // The first command finished: its output, exit code and duration are shown.
    const first = page.locator(".cmd", { hasText: "hello-from-cadre" });
    await first.locator("[data-exit-code='1']").waitFor();
    await first.getByRole("button", { name: /show output|hide output/ }).waitFor();
    expect(await first.getAttribute("data-state")).toBe("failed");
    expect(await first.textContent()).toContain("FAIL add(2, 3)");
    // The second is still running (it sleeps until cancelled) and its output arrived in two chunks.
    const second = page.locator(".cmd[data-state='running']", { hasText: "tick-1" });
    await second.waitFor();
    await second.locator(".cmd-output", { hasText: "tick-2" }).waitFor();
    expect(await second.locator(".cmd-output").textContent()).not.toContain("never");
    await screenshot(page, "task-live-commands");

    // The list page, loaded before the task existed, shows it running.
    const row = list.locator(`tr[data-task-id='${id}']`);
    await row.waitFor();
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 30_000 }).toBe("running");
    await screenshot(list, "task-list-live");

    await page.getByRole("toolbar", { name: "Task actions" }).getByRole("button", { name: "Cancel" }).click();
    // Cancelling asks first.
    await page
      .getByRole("dialog", { name: "Cancel the task?" })
      .getByRole("button", { name: "Cancel the task" })
      .click();
    await expect
      .poll(() => page.locator(".task-page").getAttribute("data-status"), { timeout: 30_000 })
      .toBe("cancelled");
    await expect.poll(() => row.getAttribute("data-status"), { timeout: 30_000 }).toBe("cancelled");
    expect(await list.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    await ctx.close();
  });

  it("has keyboard shortcuts for the common actions and names on every control", async () => {
    const ctx = await signedInContext(stack.browser, stack.server.token);
    const page = await ctx.newPage();
    await page.goto(`${stack.server.url}/tasks`);
    await page.getByRole("heading", { name: "Tasks" }).waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await page.keyboard.press("/");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe("task-search");
    await page.keyboard.press("Escape");
    await page.keyboard.press("?");
    await page.getByRole("dialog", { name: "Keyboard shortcuts" }).waitFor();
    await screenshot(page, "keyboard-shortcuts");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await page.keyboard.press("g");
    await page.keyboard.press("r");
    await page.waitForURL(/\/repos$/);
    await page.keyboard.press("n");
    await page.waitForURL(/\/tasks\/new$/);
    await page.getByLabel("Prompt").waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("g");
    await page.keyboard.press("t");
    await page.waitForURL(/\/tasks$/);
    // j selects the first (newest) task, o opens it.
    const firstRow = page.locator("tbody tr").first();
    await firstRow.waitFor();
    const firstId = await firstRow.getAttribute("data-task-id");
    await page.keyboard.press("j");
    await expect.poll(() => firstRow.getAttribute("aria-current")).toBe("true");
    await page.keyboard.press("o");
    await page.waitForURL(new RegExp(`/tasks/${firstId}`));
    await ctx.close();
  });

  it("answers the agent's question and the attempt carries on with the answer", async () => {
    const ctx = await signedInContext(stack.browser, stack.server.token);
    const page = await ctx.newPage();
    const id = await createTaskFromForm(page, stack.server.url, "Tidy up add() #s-ask");
    const panel = page.getByRole("form", { name: "Answer the agent" });
    await panel.waitFor();
    expect(await panel.textContent()).toContain(QUESTION);
    await screenshot(page, "task-question");
    expect(await unnamedControls(page)).toEqual([]);
    await panel.getByRole("button", { name: "Numbers only" }).click();
    await expect
      .poll(() => page.locator(".task-page").getAttribute("data-status"), { timeout: 60_000 })
      .toMatch(/completed|failed/);
    const task = await stack.server.client.call("getTask", { params: { id } });
    expect(task.status, task.attempts[0]?.failureMessage ?? "").toBe("completed");
    await page.locator(".q-answer", { hasText: "Numbers only" }).waitFor();
    await page.locator(".act-msg", { hasText: "Understood: " }).waitFor();
    expect(await page.locator(".act-msg", { hasText: "Understood: " }).textContent()).toContain("Numbers only");
    expect(await panel.count()).toBe(0);
    await ctx.close();
  });

  it("reviews a plan in plan mode, approves it, then sends a follow-up", async () => {
    const ctx = await signedInContext(stack.browser, stack.server.token);
    const page = await ctx.newPage();
    await createTaskFromForm(page, stack.server.url, "Plan the fix first #s-plan", { mode: "Plan" });
    const review = page.getByRole("form", { name: "Review the plan" });
    await review.waitFor({ timeout: 60_000 });
    expect(await review.locator(".step").allTextContents()).toEqual(["○Fix add()", "○Run the tests"]);
    await screenshot(page, "plan-review");
    await review.getByRole("button", { name: "Approve plan" }).click();
    await expect
      .poll(() => page.locator(".task-page").getAttribute("data-status"), { timeout: 60_000 })
      .toBe("completed");
    await page.locator(".act-user", { hasText: "Plan approved" }).waitFor();
    await page.locator(".act-msg", { hasText: "Carried out the plan." }).waitFor();

    await page.getByLabel("Follow-up instruction").fill("Also explain the fix");
    await page.getByLabel("Follow-up instruction").press("Control+Enter");
    await page.locator(".act-user", { hasText: "Also explain the fix" }).waitFor();
    await page.locator(".act-msg", { hasText: "Follow-up done." }).waitFor({ timeout: 60_000 });
    // The task was already completed before the follow-up: wait for the second turn to be reflected too.
    await expect
      .poll(
        async () =>
          `${await page.locator(".task-page").getAttribute("data-status")}/${await page.locator(".task-page").getAttribute("data-turns")}`,
        { timeout: 60_000 },
      )
      .toBe("completed/2");
    await page.getByRole("tab", { name: "Usage" }).click();
    const usage = page.getByRole("table", { name: "Usage per turn" });
    await usage.waitFor();
    expect(await usage.locator("tbody tr").count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, "usage-per-turn");
    // The diff can be narrowed to one turn (this plan changed no files).
    await page.getByRole("tab", { name: "Diff" }).click();
    await page.getByLabel("Changes shown").selectOption({ label: "Turn 2 only" });
    await page.getByText("No changes in turn 2.").waitFor();
    expect(new URL(page.url()).searchParams.get("turn")).toBe("2");
    await ctx.close();
  });
});
