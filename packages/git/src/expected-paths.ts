import { runGitIn } from "./git-dir.ts";

const DEFINITION_KEYWORDS =
  "function|def|class|const|let|var|fn|func|interface|type|struct|enum|trait|impl|module|export function|export class|export const";

/** Identifiers a prompt names as code: `in backticks`, called like `name()`, or snake/camel case. */
export function identifiersIn(text: string): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/`([A-Za-z_][A-Za-z0-9_.]*)(?:\(\))?`/g))
    ids.add((m[1] as string).split(".").pop() as string);
  for (const m of text.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\(\)/g)) ids.add(m[1] as string);
  for (const m of text.matchAll(
    /\b([a-z]+(?:_[a-z0-9]+)+|[a-z]+(?:[A-Z][a-z0-9]*)+|[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\b/g,
  ))
    ids.add(m[1] as string);
  return [...ids].filter((id) => id.length >= 2 && id.length <= 80);
}

/** Tokens of a prompt that look like file paths. */
export function pathsIn(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s`'"(])((?:[\w.-]+\/)*[\w-]+\.[A-Za-z0-9]{1,8})(?=$|[\s`'"),:;])/g)) {
    const p = (m[1] as string).replace(/^\.\//, "");
    if (!p.split("/").includes("..")) out.add(p);
  }
  return [...out];
}

/**
 * The cheap planning step before an attempt starts: which files of `commit` a task expects to
 * touch — the paths its prompt names that exist, and the files defining the identifiers it names.
 * No model call: it must cost milliseconds, and it is a hint for conflict warnings, not a promise.
 */
export async function expectedPaths(gitDir: string, commit: string, prompt: string, limit = 50): Promise<string[]> {
  const found = new Set<string>();
  const named = pathsIn(prompt);
  if (named.length) {
    const ls = await runGitIn(gitDir, ["ls-tree", "-r", "--name-only", "-z", commit, "--", ...named], {
      okCodes: [0, 128],
    });
    for (const p of ls.stdout.toString("utf8").split("\0")) if (p) found.add(p);
  }
  const ids = identifiersIn(prompt)
    .map((id) => id.replace(/[^A-Za-z0-9_]/g, ""))
    .filter(Boolean)
    .slice(0, 20);
  if (ids.length) {
    const pattern = `(${DEFINITION_KEYWORDS})[[:space:]]+(${ids.join("|")})([^A-Za-z0-9_]|$)`;
    const grep = await runGitIn(gitDir, ["grep", "-l", "-z", "-I", "-E", "-e", pattern, commit, "--"], {
      okCodes: [0, 1],
    });
    for (const hit of grep.stdout.toString("utf8").split("\0")) {
      const i = hit.indexOf(":");
      if (hit && i > 0) found.add(hit.slice(i + 1));
    }
  }
  return [...found].sort().slice(0, limit);
}
