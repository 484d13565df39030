/// <reference lib="dom" />
// The check runs in the browser page, so it needs the DOM types.
import type { Page } from "playwright-core";

/**
 * Controls without an accessible name (aria-label, aria-labelledby, a <label>, visible text or a
 * title). A rough check, but it catches the common slip: an icon button or an unlabeled input.
 */
export function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(
      document.querySelectorAll<HTMLElement>(
        "button, input, select, textarea, a[href], [role='tab'], [role='checkbox']",
      ),
    )) {
      if (el instanceof HTMLInputElement && el.type === "hidden") continue;
      const labelled = el.getAttribute("aria-labelledby");
      const named =
        (el.getAttribute("aria-label") ?? "").trim() ||
        (labelled ? document.getElementById(labelled)?.textContent?.trim() : "") ||
        ("labels" in el && (el as HTMLInputElement).labels?.length ? "label" : "") ||
        (el.textContent ?? "").trim() ||
        (el.getAttribute("title") ?? "").trim();
      if (!named) out.push(el.outerHTML.slice(0, 160));
    }
    return out;
  });
}
