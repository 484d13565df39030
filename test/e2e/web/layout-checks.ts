/// <reference lib="dom" />
// The checks run in the browser page, so they need the DOM types.
import type { Page } from "playwright-core";

/**
 * Elements that stick out past the viewport's right edge without a scrolling (or clipping) box
 * of their own inside the viewport: what makes a page scroll sideways on a phone.
 */
export function horizontalOverflow(page: Page): Promise<{ pageOverflow: number; offenders: string[] }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const contained = (el: Element): boolean => {
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        if (getComputedStyle(up).overflowX !== "visible") return up.getBoundingClientRect().right <= width + 1;
      }
      return false;
    };
    const offenders = Array.from(document.querySelectorAll("body *"))
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && r.right > width + 1 && !contained(el);
      })
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${String((el as HTMLElement).className).replace(/\s+/g, ".")}`);
    return { pageOverflow: document.documentElement.scrollWidth - width, offenders };
  });
}

/** Bars (nav, tabs) whose items do not all fit: some are cut off or hidden behind a sideways scroll. */
export function clippedBars(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((sel) => {
    const width = document.documentElement.clientWidth;
    const out: string[] = [];
    for (const bar of Array.from(document.querySelectorAll<HTMLElement>(sel))) {
      if (bar.offsetParent === null) continue;
      if (bar.scrollWidth > bar.clientWidth + 1) out.push(`${sel} scrolls (${bar.scrollWidth} > ${bar.clientWidth})`);
      for (const item of Array.from(bar.querySelectorAll<HTMLElement>("a, button"))) {
        if (item.offsetParent === null) continue;
        const r = item.getBoundingClientRect();
        if (r.left < -1 || r.right > width + 1) out.push(`${sel} item '${item.textContent?.trim()}' is cut off`);
      }
    }
    return out;
  }, selector);
}

/** Split-diff halves whose code is wider than the half shows (the text is cut off). */
export function clippedSplitHalves(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      Array.from(document.querySelectorAll<HTMLElement>(".drow-split .half")).filter(
        (half) => half.scrollWidth > half.clientWidth + 1,
      ).length,
  );
}
