import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page } from "playwright-core";
import { startWebStack, type WebStack } from "./web-stack.ts";
import { screenshot, signedInContext } from "./browser.ts";
import { unnamedControls } from "./a11y.ts";

const STEER = "keep the public API unchanged";
const TAIL = "The last line of a summary long enough to be cut short, lane";
const addPatch = (marker: string) =>
  `*** Begin Patch\n*** Update File: calc.mjs\n@@ export function add(a, b) {\n-  return a - b;\n+  return a + b; // ${marker}\n*** End Patch\n`;

async function waitStatus(page: Page, status: string): Promise<void> {
  await expect.poll(() => page.locator(".task-page").getAttribute("data-status"), { timeout: 90_000 }).toBe(status);
}

async function startTask(page: Page, url: string, prompt: string, attempts = 1): Promise<string> {
  await page.goto(`${url}/tasks/new`);
  await page.getByLabel("Prompt").fill(prompt);
  await page.getByLabel("Attempts").fill(String(attempts));
  await page.getByRole("button", { name: "Start task" }).click();
  await page.waitForURL(/\/tasks\/task_/);
  return new URL(page.url()).pathname.split("/").pop() as string;
}

describe("web app: the flows a newcomer walks", () => {
  let stack: WebStack;
  let ctx: BrowserContext;

  beforeAll(async () => {
    stack = await startWebStack({
      // Keeps working, one short command a step, until the user's message arrives.
      steer: (c, users) =>
        users.some((u) => u.includes(STEER))
          ? { text: "Kept the API as you asked." }
          : { toolCalls: [{ name: "shell", input: { command: `echo step ${c.step}` } }], delayMs: 200 },
      fails: (c) =>
        c.request.model === "test-model"
          ? { error: { status: 401, message: "Incorrect API key provided" } }
          : { text: `Done on ${c.request.model}.` },
      // Runs one long command, so the task stays running until it is cancelled.
      long: (c) =>
        c.step === 0 ? { toolCalls: [{ name: "shell", input: { command: "sleep 300" } }] } : { text: "Slept." },
      // Each attempt (lane) makes a different change, so the attempts differ.
      lanes: (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: addPatch(`lane ${c.lane}`) }] }
          : { text: `**Fixed** \`add()\` (lane ${c.lane}).\n\n- it subtracted\n- now it adds\n\n${TAIL} ${c.lane}.` },
    });
    ctx = await signedInContext(stack.browser, stack.server.token);
  });

  afterAll(async () => {
    await ctx?.close();
    await stack?.close();
  });

  it("the new-task form offers the configured models with the default marked, and the repo's environment", async () => {
    const repo = await stack.server.client.call("getRepo", { params: { id: "calc" } });
    await stack.server.client.call("createEnvironment", { body: { name: "calc-env", repoId: repo.id } });
    const page = await ctx.newPage();
    await page.goto(`${stack.server.url}/tasks/new`);
    const model = page.getByLabel("Model", { exact: true });
    await expect.poll(() => model.inputValue()).toBe("scripted/test-model");
    const options = await model.locator("option").allTextContents();
    expect(options).toContain("scripted/test-model (default)");
    // What the provider's GET /models lists is offered too.
    expect(options).toContain("scripted/scripted-model");
    await expect.poll(() => page.getByLabel("Environment").inputValue()).toBe("calc-env");
    expect(await unnamedControls(page)).toEqual([]);
    await screenshot(page, "new-task-models");
    await page.close();
  });

  it("a message typed while the attempt runs reaches the model's next request, and the run goes on", async () => {
    const page = await ctx.newPage();
    const id = await startTask(page, stack.server.url, "Tidy up #s-steer");
    const box = page.getByLabel("Message to the running agent");
    await box.waitFor({ timeout: 90_000 });
    await box.fill(STEER);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Sent: the agent reads it before its next step.").waitFor();
    const sentAt = stack.model.requests.length;
    await waitStatus(page, "completed");
    const first = stack.model.requests.findIndex((r) =>
      (r.normalized?.messages ?? []).some((m) => m.role === "user" && m.text.includes(STEER)),
    );
    expect(first).toBeGreaterThanOrEqual(0);
    // A request already on its way when the message was stored may miss it; the one after has it.
    expect(first).toBeLessThanOrEqual(sentAt + 1);
    await page.getByText("Your message, read while it ran").waitFor();
    const task = await stack.server.client.call("getTask", { params: { id } });
    expect(task.attempts[0]).toMatchObject({ turnCount: 1, summary: "Kept the API as you asked." });
    await screenshot(page, "task-steered");
    await page.close();
  });

  it("a failed task offers a retry with another model, which starts the same task on it", async () => {
    const page = await ctx.newPage();
    const id = await startTask(page, stack.server.url, "Say hello #s-fails");
    await waitStatus(page, "failed");
    const retry = page.getByRole("group", { name: "Retry with another model" });
    await retry.getByLabel("Model", { exact: true }).selectOption("scripted/scripted-model");
    await screenshot(page, "task-failed-retry");
    await retry.getByRole("button", { name: "Retry" }).click();
    await page.waitForURL((u) => !u.pathname.endsWith(id));
    await waitStatus(page, "completed");
    const again = await stack.server.client.call("getTask", {
      params: { id: new URL(page.url()).pathname.split("/").pop() as string },
    });
    expect(again).toMatchObject({ prompt: "Say hello #s-fails", model: "scripted/scripted-model" });
    expect(again.attempts[0]?.summary).toBe("Done on scripted-model.");
    await page.close();
  });

  it("attempt cards show whole rendered summaries and the diff between two attempts", async () => {
    const page = await ctx.newPage();
    const id = await startTask(page, stack.server.url, "Fix add() #s-lanes", 2);
    await waitStatus(page, "completed");
    await page.goto(`${stack.server.url}/tasks/${id}?tab=attempts`);
    for (const index of [1, 2]) {
      const card = page.getByRole("listitem", { name: `Attempt ${index}` });
      // Rendered, and whole: the emphasis is markup, and the summary's last line is there.
      await card.locator(".md strong", { hasText: "Fixed" }).waitFor();
      expect(await card.locator(".md li").allTextContents()).toEqual(["it subtracted", "now it adds"]);
      expect((await card.locator(".md").innerText()).trim()).toMatch(new RegExp(`${TAIL} \\d\\.$`));
    }
    const compare = page.getByRole("region", { name: "Difference between attempts" });
    await compare.getByText("1 file differs").waitFor();
    const lines = await compare.locator(".drow-line").allTextContents();
    expect(lines.some((l) => /-\s*return a \+ b; \/\/ lane \d/.test(l))).toBe(true);
    expect(lines.some((l) => /\+\s*return a \+ b; \/\/ lane \d/.test(l))).toBe(true);
    await screenshot(page, "attempts-compare-diff");
    await page.close();
  });

  it("cancel asks first; a cancelled task reads Cancelled, not Failed; its age keeps ticking in the list", async () => {
    const page = await ctx.newPage();
    const id = await startTask(page, stack.server.url, "Wait a while #s-long");
    await waitStatus(page, "running");
    const actions = page.getByRole("toolbar", { name: "Task actions" });
    await actions.getByRole("button", { name: "Cancel" }).click();
    const dialog = page.getByRole("dialog", { name: "Cancel the task?" });
    await dialog.getByText("The changes made so far are kept").waitFor();
    await dialog.getByRole("button", { name: "Keep it running" }).click();
    await dialog.waitFor({ state: "detached" });
    expect((await stack.server.client.call("getTask", { params: { id } })).status).toBe("running");
    await actions.getByRole("button", { name: "Cancel" }).click();
    await dialog.getByRole("button", { name: "Cancel the task" }).click();
    await waitStatus(page, "cancelled");
    await page.getByRole("heading", { name: "Cancelled", exact: true }).waitFor();
    expect(await page.title()).toMatch(/^Cancelled · Wait a while/);
    expect(await page.getByRole("heading", { name: /^Failed/ }).count()).toBe(0);
    await screenshot(page, "task-cancelled");

    await page.goto(`${stack.server.url}/tasks`);
    const row = page.locator(`tr[data-task-id='${id}']`);
    await row.getByText("Cancelled", { exact: true }).waitFor();
    const age = row.locator("time").first();
    const shown = await age.textContent();
    // Nothing reloads the list: only a ticking clock can change what it shows.
    await expect.poll(() => age.textContent(), { timeout: 30_000 }).not.toBe(shown);
    await page.close();
  });

  it("a delivery the server refuses is explained in the web's terms, with no CLI flags", async () => {
    const page = await ctx.newPage();
    await startTask(page, stack.server.url, "Fix add() #s-lanes");
    await waitStatus(page, "completed");
    const main = execFileSync("git", ["--git-dir", stack.origin, "rev-parse", "main"], { encoding: "utf8" });
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Approve attempt 1" });
    await dialog.getByRole("radio", { name: /Push as a branch/ }).check();
    await dialog.getByLabel("Branch name").fill("main");
    await dialog.getByRole("button", { name: "Approve", exact: true }).click();
    const alert = dialog.getByRole("alert");
    await alert.getByText("is the repository's default branch", { exact: false }).waitFor();
    const advice = await alert.innerText();
    expect(advice).toContain("Merge the change into main instead, or push it as a new branch");
    expect(advice).not.toMatch(/--|cadre /);
    await screenshot(page, "approve-refused-web-advice");
    expect(execFileSync("git", ["--git-dir", stack.origin, "rev-parse", "main"], { encoding: "utf8" })).toBe(main);
    await page.close();
  });
});
