import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";

/** Links leave the app in a new tab, without handing it a reference to this one. */
const COMPONENTS: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
};

/**
 * Agent text (summaries, messages) as Markdown, GitHub flavoured. Raw HTML in it is shown as
 * text, never parsed, and link URLs with unsafe schemes (javascript:, data:) are dropped: the
 * text comes from a model that read untrusted code.
 */
export function MarkdownRenderer({ text }: { text: string }) {
  return (
    <div className="md">
      <ReactMarkdown remarkPlugins={[remarkGfm]} components={COMPONENTS}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
