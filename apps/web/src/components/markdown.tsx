import { lazy, Suspense } from "react";

// The renderer (react-markdown with GFM) is its own chunk: pages load without it, and it comes in once.
const Renderer = lazy(() => import("./markdown-renderer.tsx").then((m) => ({ default: m.MarkdownRenderer })));

/** Agent text rendered as Markdown; until the renderer has loaded, the plain text. */
export function Markdown({ text }: { text: string }) {
  return (
    <Suspense fallback={<div className="md md-plain">{text}</div>}>
      <Renderer text={text} />
    </Suspense>
  );
}
