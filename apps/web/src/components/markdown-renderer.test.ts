import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { MarkdownRenderer } from "./markdown-renderer.tsx";

const html = (text: string) => renderToStaticMarkup(createElement(MarkdownRenderer, { text }));

describe("Markdown in summaries and messages", () => {
  it("renders headings, lists, emphasis, code and GFM tables", () => {
    const out = html(
      "## Fixed `add()`\n\n- **tests pass**\n- one more\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n```sh\nnode test.mjs\n```",
    );
    expect(out).toContain("<h2>Fixed <code>add()</code></h2>");
    expect(out).toContain("<li><strong>tests pass</strong></li>");
    expect(out).toContain("<table>");
    expect(out).toContain('<code class="language-sh">node test.mjs\n</code>');
  });

  it("shows raw HTML from the model as text and drops script URLs", () => {
    const out = html('<img src=x onerror="alert(1)"> and <script>alert(2)</script>\n\n[click](javascript:alert(3))');
    expect(out).not.toMatch(/<img|<script/i);
    expect(out).toContain("&lt;img");
    expect(out).not.toContain("javascript:");
    expect(out).toContain('rel="noreferrer noopener"');
  });
});
