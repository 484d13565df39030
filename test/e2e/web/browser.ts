/// <reference lib="dom" />
// Code passed to page.evaluate runs in the browser and needs the DOM types.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { REPO_ROOT } from "../../support/cadre-process.ts";

export const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "web");

/** Debian's Chromium, headless; nothing is downloaded. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A context already signed in: the token goes in the storage the app reads it from. */
export async function signedInContext(
  browser: Browser,
  token: string,
  opts: { viewport?: { width: number; height: number }; colorScheme?: "light" | "dark" } = {},
): Promise<BrowserContext> {
  const ctx = await browser.newContext({
    viewport: opts.viewport ?? { width: 1440, height: 900 },
    colorScheme: opts.colorScheme ?? "light",
    acceptDownloads: true,
  });
  await ctx.addInitScript((t) => {
    if (!localStorage.getItem("cadre.token")) localStorage.setItem("cadre.token", t);
  }, token);
  ctx.setDefaultTimeout(30_000);
  return ctx;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}
