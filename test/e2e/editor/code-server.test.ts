/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT } from "../../support/cadre-process.ts";
import { gitIn } from "../../support/fixture-repo.ts";
import { codeServerInstalled, installExtension, startCodeServer, type CodeServer } from "./code-server.ts";
import { routedScript } from "./routed-script.ts";
import { startCadreStack, type CadreStack } from "./cadre-stack.ts";

const LONG = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`).join("\n") + "\n";
const CHANGED = LONG.replace("line 2\n", "LINE TWO\n").replace("line 28\n", "LINE TWENTY-EIGHT\n");
const TWO_HUNKS =
  "*** Begin Patch\n*** Update File: long.txt\n@@\n-line 2\n+LINE TWO\n@@\n-line 28\n+LINE TWENTY-EIGHT\n*** End Patch\n";
const FOLLOWUP_PATCH = "*** Begin Patch\n*** Update File: long.txt\n@@\n-line 15\n+LINE FIFTEEN\n*** End Patch\n";
const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "editor");
const VSIX = join(REPO_ROOT, "apps", "vscode", "dist", "cadre-vscode.vsix");

// CI installs code-server first (.ci/run runs install-code-server.sh); elsewhere the test is skipped without it.
if (process.env.CI && !codeServerInstalled())
  throw new Error("code-server is not installed: run test/e2e/editor/install-code-server.sh");

async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor();
  await page.keyboard.press("Enter");
}

/** Picks the quick-pick row holding `text` (the extension's task picker). */
async function pick(page: Page, text: string): Promise<void> {
  const row = page.locator(".quick-input-list .monaco-list-row", { hasText: text }).first();
  await row.waitFor({ state: "visible" });
  await row.click();
}

describe.skipIf(!codeServerInstalled())("the .vsix in a real VS Code (code-server 4.100 in Chromium)", () => {
  let stack: CadreStack;
  let codeServer: CodeServer;
  let browser: Browser;
  let page: Page;
  let clone: string;
  let taskId: string;

  beforeAll(async () => {
    execFileSync("npm", ["run", "package", "-w", "@cadre/vscode"], { cwd: REPO_ROOT, stdio: "pipe", timeout: 120_000 });
    stack = await startCadreStack(
      routedScript([
        {
          marker: "TWO_HUNK_MARKER",
          steps: [{ toolCalls: [{ name: "apply_patch", input: TWO_HUNKS }] }, { text: "Upper-cased lines 2 and 28." }],
        },
        {
          marker: "FOLLOWUP_MARKER",
          steps: [{ toolCalls: [{ name: "apply_patch", input: FOLLOWUP_PATCH }] }, { text: "Also line 15." }],
        },
      ]),
      async (origin) => {
        await writeFile(join(origin, "long.txt"), LONG);
        gitIn(origin, "add", "long.txt");
        gitIn(origin, "commit", "-q", "-m", "add long.txt");
      },
    );
    const created = await stack.client.call("createTask", {
      body: {
        prompt: "Upper-case two lines TWO_HUNK_MARKER",
        repo: "calc",
        title: "Upper-case two lines",
        attempts: 1,
        mode: "code",
      },
    });
    taskId = created.id;
    for (let i = 0; i < 300; i++) {
      const t = await stack.client.call("getTask", { params: { id: taskId } });
      if (t.status === "completed") break;
      if (t.status === "failed" || t.status === "cancelled")
        throw new Error(`the task ${t.status}: ${t.attempts[0]?.failureMessage ?? ""}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    clone = stack.clone("workspace");
    const csDir = join(stack.dir, "code-server");
    await mkdir(csDir, { recursive: true });
    expect(installExtension(csDir, VSIX)).toContain("was successfully installed");
    codeServer = await startCodeServer(csDir, { CADRE_URL: stack.server.url, CADRE_TOKEN: stack.server.token });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
      ],
    });
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    ctx.setDefaultTimeout(60_000);
    page = await ctx.newPage();
    await page.goto(`${codeServer.url}/?folder=${encodeURIComponent(clone)}`);
    await page.locator(".monaco-workbench").waitFor();
  });

  afterAll(async () => {
    if (page) {
      await mkdir(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, "code-server-final.png") }).catch(() => undefined);
    }
    await browser?.close();
    await codeServer?.stop();
    await stack?.stop();
  });

  it("lists the task in the Cadre view", async () => {
    await page.locator(".activitybar [aria-label^='Cadre']").first().click();
    await page.locator(".pane-body .monaco-list-row", { hasText: "Upper-case two lines" }).first().waitFor();
  });

  it("opens the task's diff in VS Code's diff editor", async () => {
    await runCommand(page, "Cadre: Open Diff");
    await pick(page, "Upper-case two lines");
    const diff = page.locator(".monaco-diff-editor").first();
    await diff.waitFor();
    // Monaco renders spaces as no-break spaces.
    const text = async (side: string) =>
      (await diff.locator(`.${side} .view-lines`).innerText()).replace(/\u00a0/g, " ");
    await expect.poll(() => text("modified"), { timeout: 30_000 }).toContain("LINE TWENTY-EIGHT");
    expect(await text("modified")).toContain("LINE TWO");
    expect(await text("original")).toContain("line 28");
    expect(await text("original")).not.toContain("LINE TWENTY-EIGHT");
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "code-server-diff.png") });
  });

  it("applies one hunk of two, chosen in VS Code's multi-select quick pick", async () => {
    await runCommand(page, "Cadre: Apply Files or Hunks");
    await pick(page, "Upper-case two lines");
    const row = page.locator(".quick-input-list .monaco-list-row", { hasText: "hunk 2 of 2" }).first();
    await row.waitFor();
    await row.click();
    await expect.poll(() => row.getAttribute("aria-checked")).toBe("true");
    await page.keyboard.press("Enter");
    await page.locator(".notifications-toasts", { hasText: "applied long.txt" }).waitFor();
    expect(await readFile(join(clone, "long.txt"), "utf8")).toBe(LONG.replace("line 28\n", "LINE TWENTY-EIGHT\n"));
    // The next apply must raise its own notice, not find this one.
    await runCommand(page, "Notifications: Clear All Notifications");
    await page.locator(".notifications-toasts", { hasText: "applied long.txt" }).waitFor({ state: "hidden" });
    gitIn(clone, "reset", "-q", "--hard");
  });

  it("applies the whole change to the work tree", async () => {
    await runCommand(page, "Cadre: Apply Whole Change");
    await pick(page, "Upper-case two lines");
    await page.locator(".notifications-toasts", { hasText: "applied long.txt" }).waitFor();
    expect(await readFile(join(clone, "long.txt"), "utf8")).toBe(CHANGED);
    const t = await stack.client.call("getTask", { params: { id: taskId } });
    expect(t.review.state).toBe("applied");
  });

  it("sends a follow-up from an input box and announces when it finishes", async () => {
    await runCommand(page, "Notifications: Clear All Notifications");
    await runCommand(page, "Cadre: Send Follow-up");
    await pick(page, "Upper-case two lines");
    const input = page.locator(".quick-input-widget input");
    await input.waitFor({ state: "visible" });
    await input.fill("FOLLOWUP_MARKER: line 15 too");
    await page.keyboard.press("Enter");
    await page.locator(".notifications-toasts", { hasText: "finished: review its diff" }).waitFor();
    const t = await stack.client.call("getTask", { params: { id: taskId } });
    expect(t.attempts[0]).toMatchObject({ status: "completed", turnCount: 2, summary: "Also line 15." });
  });
});
