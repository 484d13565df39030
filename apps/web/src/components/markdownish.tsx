import { Fragment, type ReactNode } from "react";

/** Agent text with the few markdown marks agents use most (code blocks, `code`, **bold**); never raw HTML. */
export function Markdownish({ text }: { text: string }) {
  const parts = text.split(/```[^\n]*\n?/);
  return (
    <div className="md">
      {parts.map((p, i) =>
        i % 2 === 1 ? (
          <pre key={i} className="pre-block">
            {p}
          </pre>
        ) : (
          <Fragment key={i}>{paragraphs(p)}</Fragment>
        ),
      )}
    </div>
  );
}

function paragraphs(text: string): ReactNode[] {
  return text
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p, i) => <p key={i}>{inline(p)}</p>);
}

function inline(text: string): ReactNode[] {
  return text.split(/(`[^`]+`|\*\*[^*]+\*\*)/).map((s, i) => {
    if (s.startsWith("`") && s.endsWith("`") && s.length > 1) return <code key={i}>{s.slice(1, -1)}</code>;
    if (s.startsWith("**") && s.endsWith("**") && s.length > 3) return <strong key={i}>{s.slice(2, -2)}</strong>;
    return <Fragment key={i}>{s}</Fragment>;
  });
}
