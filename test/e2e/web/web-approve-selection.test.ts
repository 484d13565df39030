import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import type { BrowserContext, Page } from "playwright-core";
import { LINES_TXT, startWebStack, type WebStack } from "./web-stack.ts";
import { screenshot, signedInContext } from "./browser.ts";

const WORDS: Record<number, string> = {
  3: "three",
  5: "five",
  15: "fifteen",
  20: "twenty",
  27: "twenty-seven",
  29: "twenty-nine",
  8: "eight",
  17: "seventeen",
  26: "twenty-six",
};

/** Three far-apart edits of lines.txt (each spells its line number out): three hunks in one file. */
const threeHunks = (...lines: number[]) =>
  [
    "*** Begin Patch",
    "*** Update File: lines.txt",
    ...lines.flatMap((n) => ["@@", ` line ${n - 1}`, `-line ${n}`, `+line ${WORDS[n]}`, ` line ${n + 1}`]),
    "*** End Patch",
    "",
  ].join("\n");

const linesWith = (edits: Record<number, string>) =>
  LINES_TXT.split("\n")
    .map((line, i) => edits[i + 1] ?? line)
    .join("\n");

async function newTask(page: Page, url: string, prompt: string): Promise<string> {
  await page.goto(`${url}/tasks/new`);
  await page.getByLabel("Prompt").fill(prompt);
  await page.getByRole("button", { name: "Start task" }).click();
  await page.waitForURL(/\/tasks\/task_/);
  await expect
    .poll(() => page.locator(".task-page").getAttribute("data-status"), { timeout: 90_000 })
    .toBe("completed");
  return new URL(page.url()).pathname.split("/").pop() as string;
}

/** Opens the diff and keeps only the given hunk (1-based) of lines.txt. */
async function acceptOnly(page: Page, keep: number): Promise<void> {
  await page.keyboard.press("d");
  for (const n of [1, 2, 3]) {
    const box = page.getByRole("checkbox", { name: `Accept hunk ${n} in lines.txt` });
    await box.waitFor();
    if (n !== keep) await box.uncheck();
  }
  await page.getByText("1 of 3 hunks accepted").waitFor();
}

describe("web app: Approve delivers exactly the hunks accepted in the diff", () => {
  let stack: WebStack;
  let ctx: BrowserContext;
  const origin = (...args: string[]) => execFileSync("git", ["--git-dir", stack.origin, ...args], { encoding: "utf8" });

  beforeAll(async () => {
    stack = await startWebStack({
      three: (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: threeHunks(3, 15, 27) }] }
          : { text: "Spelled out lines 3, 15 and 27." },
      other: (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: threeHunks(5, 20, 29) }] }
          : { text: "Spelled out lines 5, 20 and 29." },
      pull: (c) =>
        c.step === 0
          ? { toolCalls: [{ name: "apply_patch", input: threeHunks(8, 17, 26) }] }
          : { text: "Spelled out lines 8, 17 and 26." },
    });
    ctx = await signedInContext(stack.browser, stack.server.token);
  });
  afterAll(async () => {
    await ctx?.close();
    await stack?.close();
  });

  it("merges 1 of 3 hunks into main, and the dialog says so", async () => {
    const page = await ctx.newPage();
    const before = origin("rev-parse", "main").trim();
    await newTask(page, stack.server.url, "Spell out three lines #s-three");
    await acceptOnly(page, 2);
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Approve attempt 1" });
    await dialog.getByText("Delivers 1 of 3 hunks in 1 of 1 file", { exact: false }).waitFor();
    await screenshot(page, "approve-dialog-one-of-three");
    await dialog.getByRole("button", { name: "Approve 1 hunk" }).click();
    await page.locator(".review-line", { hasText: "merged into main" }).waitFor();
    await page.locator(".review-line", { hasText: "1 of 3 hunks in 1 of 1 file" }).waitFor();
    expect(origin("show", "main:lines.txt")).toBe(linesWith({ 15: "line fifteen" }));
    expect(origin("rev-parse", "main^").trim()).toBe(before);
    expect(origin("log", "-1", "--format=%s", "main").trim()).toBe("Spell out three lines #s-three");
    await page.close();
  });

  it("pushes 1 of 3 hunks as a branch, chosen in the diff and approved from another tab", async () => {
    const page = await ctx.newPage();
    const id = await newTask(page, stack.server.url, "Spell out other lines #s-other");
    await acceptOnly(page, 1);
    // The choice survives leaving the Diff tab.
    await page.keyboard.press("a");
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Approve attempt 1" });
    await dialog.getByRole("radio", { name: /Push as a branch/ }).check();
    await dialog.getByLabel("Branch name").fill("cadre/web-part");
    await dialog.getByText("Delivers 1 of 3 hunks in 1 of 1 file", { exact: false }).waitFor();
    await dialog.getByRole("button", { name: "Approve 1 hunk" }).click();
    await page.locator(".review-line", { hasText: "pushed as branch cadre/web-part" }).waitFor();
    const task = await stack.server.client.call("getTask", { params: { id } });
    expect(origin("show", "cadre/web-part:lines.txt")).toBe(
      origin("show", `${task.baseCommit}:lines.txt`).replace("line 5\n", "line five\n"),
    );
    expect(origin("rev-parse", "cadre/web-part^").trim()).toBe(task.baseCommit);
    await page.close();
  });

  it("records pulling 1 of 3 hunks locally without ending the review; the list does not call it approved", async () => {
    const page = await ctx.newPage();
    const id = await newTask(page, stack.server.url, "Spell out more lines #s-pull");
    await acceptOnly(page, 3);
    await page.getByRole("button", { name: "Approve", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Approve attempt 1" });
    await dialog.getByRole("radio", { name: /I pulled it locally/ }).check();
    await dialog.getByRole("button", { name: "Approve 1 hunk" }).click();
    await page
      .locator(".review-pulled", { hasText: "Pulled locally: 1 of 3 hunks in 1 of 1 file. The review is still open" })
      .waitFor();
    // Still reviewable: Approve and Reject are offered.
    const actions = page.getByRole("toolbar", { name: "Task actions" });
    await actions.getByRole("button", { name: "Approve", exact: true }).waitFor();
    await actions.getByRole("button", { name: "Reject" }).waitFor();
    const task = await stack.server.client.call("getTask", { params: { id } });
    expect(task.review).toMatchObject({ state: "pending", delivery: null, pulled: { selected: { hunks: 1 } } });

    await page.goto(`${stack.server.url}/tasks`);
    const row = page.locator(`tr[data-task-id='${id}']`);
    await row.getByText("pulled 1 of 3 hunks").waitFor();
    expect(await row.innerText()).not.toMatch(/approved|merged|pushed/i);
    await screenshot(page, "tasks-partly-pulled");
    await page.close();
  });
});
