import { CadreError } from "@cadre/protocol";

function decodes(component: string): boolean {
  try {
    decodeURIComponent(component);
    return true;
  } catch {
    return false;
  }
}

/** The first path segment, query name or query value of `url` that is not valid percent-encoded UTF-8, or null. */
export function malformedEscape(url: string): string | null {
  const { pathname, search } = new URL(url);
  const components = [...pathname.split("/"), ...search.replace(/^\?/, "").split(/[&=]/)];
  return components.find((component) => component.includes("%") && !decodes(component)) ?? null;
}

/**
 * Refuses a URL with a malformed percent-escape (`%E0%A4%A`, `%zz`, a lone `%`) before any route
 * sees it, so no decoder deep inside (paths, queries, event streams, the web app's files) can
 * turn it into a 500 or quietly into a different value.
 */
export function checkUrlEscapes(url: string): void {
  const bad = malformedEscape(url);
  if (bad === null) return;
  const shown = bad.length > 80 ? `${bad.slice(0, 80)}…` : bad;
  throw new CadreError(
    "bad_request",
    `the URL has a malformed percent-escape in '${shown}': write a literal '%' as %25 and percent-encode whole UTF-8 characters`,
  );
}
