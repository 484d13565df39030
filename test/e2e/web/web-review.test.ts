import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { startWebStack, type WebStack } from "./web-stack.ts";
import { screenshot, signedInContext } from "./browser.ts";
import { unnamedControls } from "./a11y.ts";

/** Two hunks in lines.txt; the first also adds two lines, so keeping only the second needs a recomputed header. */
const TWO_HUNKS = [
  "*** Begin Patch",
  "*** Update File: lines.txt",
  "@@",
  " line 2",
  "-line 3",
  "+line three",
  "+inserted a",
  "+inserted b",
  " line 4",
  "@@",
  " line 24",
  "-line 25",
  "+line twenty-five",
  " line 26",
  "*** End Patch",
  "",
].join("\n");

const mulPatch = (expr: string) =>
  `*** Begin Patch\n*** Update File: calc.mjs\n@@ export function mul(a, b) {\n-  return a * b;\n+  return ${expr};\n*** End Patch\n`;
const addPatch = (marker: string) =>
  `*** Begin Patch\n*** Update File: calc.mjs\n@@ export function add(a, b) {\n-  return a - b;\n+  return a + b; // ${marker}\n*** End Patch\n`;

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8" });
}

async function newTask(page: Page, url: string, prompt: string, attempts = 1): Promise<string> {
  await page.goto(`${url}/tasks/new`);
  await page.getByLabel("Prompt").fill(prompt);
  await page.getByLabel("Attempts").fill(String(attempts));
  await page.getByRole("button", { name: "Start task" }).click();
  await page.waitForURL(/\/tasks\/task_/);
  return new URL(page.url()).pathname.split("/").pop() as string;
}

async function waitStatus(page: Page, status: string): Promise<void> {
  await expect.poll(() => page.locator(".task-page").getAttribute("data-status"), { timeout: 90_000 }).toBe(status);
}

describe("web app: diff review, best-of-2, conflicts", () => {
  let stack: WebStack;
  let ctx: BrowserContext;
  let hunksTask = "";

  beforeAll(async () => {
    stack = await startWebStack({
      hunks: (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: TWO_HUNKS }] }
          : { text: "Edited lines 3 and 25 of lines.txt." },
      // Each attempt is its own conversation (lane): the lane number marks which attempt made the change.
      bo2: (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: addPatch(`lane ${c.lane}`) }] }
          : { text: `Fixed add() (lane ${c.lane}).` },
      // Asks first, so it stays active (waiting) until the test answers, after creating conflict-b.
      "conflict-a": (c) => {
        if (c.step === 0)
          return {
            toolCalls: [
              {
                name: "request_user_input",
                input: { questions: [{ question: "Keep mul() pure?", options: ["Yes", "No"] }] },
              },
            ],
          };
        if (c.step === 1) return { toolCalls: [{ name: "apply_patch", input: mulPatch("a * b * 1") }] };
        return { text: "mul now multiplies by one." };
      },
      "conflict-b": (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: mulPatch("b * a") }] }
          : { text: "mul now commutes." },
    });
    ctx = await signedInContext(stack.browser, stack.server.token);
  });

  afterAll(async () => {
    await ctx?.close();
    await stack?.close();
  });

  it("opens the diff, accepts one hunk of two, and the downloaded patch applies to the base", async () => {
    const page = await ctx.newPage();
    const id = await newTask(page, stack.server.url, "Rename two lines #s-hunks");
    hunksTask = id;
    await waitStatus(page, "completed");
    await page.keyboard.press("d");
    const tree = page.getByRole("navigation", { name: "Changed files" });
    await tree.getByRole("button", { name: /lines\.txt: 4 added, 2 removed/ }).waitFor();
    const first = page.getByRole("checkbox", { name: "Accept hunk 1 in lines.txt" });
    const second = page.getByRole("checkbox", { name: "Accept hunk 2 in lines.txt" });
    expect(await first.isChecked()).toBe(true);
    expect(await second.isChecked()).toBe(true);
    await first.uncheck();
    await page.getByText("1 of 2 hunks accepted").waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    await page.getByRole("button", { name: "Split" }).click();
    await screenshot(page, "diff-split-one-hunk-skipped");
    await page.getByRole("button", { name: "Unified" }).click();
    await screenshot(page, "diff-unified-one-hunk-skipped");

    await page.getByRole("button", { name: "Get patch" }).click();
    const dialog = page.getByRole("dialog", { name: "Pull the change" });
    await dialog.getByText(`git apply --3way cadre-${id}.patch`, { exact: true }).waitFor();
    await dialog.getByText(`cadre apply ${id} --attempt 1 --interactive`, { exact: true }).waitFor();
    await screenshot(page, "diff-patch-dialog");
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      dialog.getByRole("button", { name: `Download cadre-${id}.patch` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`cadre-${id}.patch`);
    const patch = await readFile(await download.path(), "utf8");
    expect(patch).toContain("+line twenty-five");
    expect(patch).not.toContain("line three");
    // The kept hunk moved up by the two lines the skipped one would have added.
    expect(patch).toMatch(/^@@ -22,7 \+22,7 @@/m);

    const clone = await mkdtemp(join(tmpdir(), "cadre-web-apply-"));
    try {
      git(tmpdir(), "clone", "-q", stack.origin, clone);
      await writeFile(join(clone, "the.patch"), patch);
      git(clone, "apply", "--check", "the.patch");
      git(clone, "apply", "the.patch");
      const lines = (await readFile(join(clone, "lines.txt"), "utf8")).split("\n");
      expect(lines[2]).toBe("line 3");
      expect(lines[24]).toBe("line twenty-five");
      expect(lines.length).toBe(31);
    } finally {
      await rm(clone, { recursive: true, force: true });
    }
    await page.close();
  });

  it("is usable on a phone-sized screen, in the dark theme", async () => {
    const phone = await signedInContext(stack.browser, stack.server.token, {
      viewport: { width: 390, height: 844 },
      colorScheme: "dark",
    });
    const page = await phone.newPage();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    await page.goto(`${stack.server.url}/tasks`);
    await page.locator(`tr[data-task-id='${hunksTask}']`).waitFor();
    await screenshot(page, "phone-dark-task-list");
    expect(await overflow()).toBeLessThanOrEqual(0);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe("rgb(15, 15, 19)");
    await page.locator(`tr[data-task-id='${hunksTask}'] a`).click();
    await page.locator(".act-edit").first().waitFor();
    await screenshot(page, "phone-dark-task");
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByRole("tab", { name: "Diff" }).click();
    await page.getByRole("checkbox", { name: "Accept hunk 2 in lines.txt" }).waitFor();
    await screenshot(page, "phone-dark-diff");
    expect(await overflow()).toBeLessThanOrEqual(0);
    await phone.close();

    const laptop = await signedInContext(stack.browser, stack.server.token, { colorScheme: "dark" });
    const dark = await laptop.newPage();
    await dark.goto(`${stack.server.url}/tasks/${hunksTask}?tab=diff`);
    await dark.getByRole("checkbox", { name: "Accept hunk 2 in lines.txt" }).waitFor();
    await screenshot(dark, "laptop-dark-diff");
    await laptop.close();
  });

  it("runs best-of-2, compares the attempts side by side and merges the chosen one into main", async () => {
    const page = await ctx.newPage();
    const id = await newTask(page, stack.server.url, "Fix add() #s-bo2", 2);
    await waitStatus(page, "completed");
    await page.getByRole("tab", { name: "Attempts (2)" }).click();
    const cards = page.getByRole("listitem");
    await expect.poll(() => cards.count()).toBe(2);
    await page
      .getByRole("listitem", { name: "Attempt 2" })
      .getByText(/1 file/)
      .waitFor();
    await page
      .getByRole("listitem", { name: "Attempt 1" })
      .getByText(/1 file/)
      .waitFor();
    await page.getByRole("button", { name: "Choose attempt 2" }).click();
    await screenshot(page, "best-of-2-compare");
    const summary2 =
      (await stack.server.client.call("getTask", { params: { id } })).attempts.find((a) => a.index === 2)?.summary ??
      "";
    const lane = /lane (\d+)/.exec(summary2)?.[1];
    expect(lane).toBeDefined();

    await page.getByRole("button", { name: "Approve attempt 2" }).click();
    const dialog = page.getByRole("dialog", { name: "Approve attempt 2" });
    expect(await dialog.getByLabel("Merge into branch").inputValue()).toBe("main");
    await dialog.getByRole("button", { name: "Approve" }).click();
    await page.locator(".review-line", { hasText: "merged into main" }).waitFor();
    await screenshot(page, "best-of-2-approved");
    const merged = execFileSync("git", ["--git-dir", stack.origin, "show", "main:calc.mjs"], { encoding: "utf8" });
    expect(merged).toContain(`return a + b; // lane ${lane}`);
    await page.close();
  });

  it("warns of a potential conflict at creation, then shows the conflict between the finished tasks with links and a resolve action", async () => {
    const page = await ctx.newPage();
    const a = await newTask(page, stack.server.url, "Make `mul` explicit in calc.mjs #s-conflict-a");
    await page.getByRole("form", { name: "Answer the agent" }).waitFor();
    const other = await ctx.newPage();
    const b = await newTask(other, stack.server.url, "Make `mul` commute in calc.mjs #s-conflict-b");
    // Task b was created while a was active and both name calc.mjs: a warning before it ran.
    await other.getByRole("button", { name: /may conflict with 1 task/ }).click();
    const potential = other.locator(`.potential-item[data-other='${a}']`);
    await potential.waitFor();
    expect(await potential.textContent()).toContain("calc.mjs");
    await screenshot(other, "conflicts-potential");
    await page.getByRole("form", { name: "Answer the agent" }).getByRole("button", { name: "Yes" }).click();
    await waitStatus(other, "completed");
    await waitStatus(page, "completed");

    await page.goto(`${stack.server.url}/tasks/${a}?tab=conflicts`);
    const item = page.locator(`.conflict-item[data-other='${b}']`);
    await item.waitFor({ timeout: 60_000 });
    expect(await item.textContent()).toContain("calc.mjs");
    await page.getByRole("table", { name: "Conflict matrix table" }).waitFor();
    await page.getByRole("button", { name: "Resolve conflicts (follow-up)" }).waitFor();
    await screenshot(page, "conflicts");
    await item.getByRole("link").click();
    await page.waitForURL(new RegExp(`/tasks/${b}`));
    // From b's side the same conflict shows; ask b's agent to resolve it with a follow-up turn.
    await page.getByRole("tab", { name: /Conflicts/ }).click();
    await page.locator(`.conflict-item[data-other='${a}']`).waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Resolve conflicts (follow-up)" }).click();
    await page.locator(".act-user", { hasText: "Resolve conflicts" }).waitFor({ timeout: 60_000 });
    await expect
      .poll(
        async () =>
          `${await page.locator(".task-page").getAttribute("data-status")}/${await page.locator(".task-page").getAttribute("data-turns")}`,
        { timeout: 90_000 },
      )
      .toBe("completed/2");
    // Keep a and reject b: the reason is recorded and shown.
    await page.getByRole("toolbar", { name: "Task actions" }).getByRole("button", { name: "Reject" }).click();
    const reject = page.getByRole("dialog", { name: "Reject the task" });
    await reject.getByLabel("Reason").fill("conflicts with the explicit version");
    await reject.getByRole("button", { name: "Reject" }).click();
    await page.locator(".review-line", { hasText: "Rejected: conflicts with the explicit version" }).waitFor();
    expect((await stack.server.client.call("getTask", { params: { id: b } })).review.state).toBe("rejected");
    await other.close();
    await page.close();
  });
});
