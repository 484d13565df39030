import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../..", import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The messages `npm run lint` gives a file at `path` (which need not exist) holding `source`. */
async function lint(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}/${path}` });
  return (result?.messages ?? []).map((message) => `${message.ruleId ?? ""}: ${message.message}`);
}

const BARE = /no-restricted-syntax: Throw a CadreError subclass with a code/;

describe("one way to fail as a lint rule", () => {
  it.each([
    ["packages/config/src/probe.ts", `export function f(): never {\n  throw new Error("invalid config");\n}\n`],
    ["apps/runner/src/probe.ts", `export const fail = () => Promise.reject(new Error("no"));\n`],
    ["apps/web/src/probe.tsx", `export function f(): never {\n  throw Error("no");\n}\n`],
    ["packages/sandbox/src/probe.ts", `export const make = (text: string) => new Error(text);\n`],
  ])("a bare Error in %s fails", async (path, source) => {
    const messages = await lint(path, source);
    expect(
      messages.some((text) => BARE.test(text)),
      messages.join("\n"),
    ).toBe(true);
  });

  it.each([
    [
      "packages/config/src/probe.ts",
      `import { CadreError } from "@cadre/protocol";\nexport function f(): never {\n  throw new CadreError("not_configured", "set it, then retry");\n}\n`,
    ],
    [
      "apps/runner/src/probe.ts",
      `import { InvariantError } from "@cadre/protocol";\nexport function f(): never {\n  throw new InvariantError("called before start");\n}\n`,
    ],
    [
      "apps/runner/src/probe.ts",
      `export const stop = (c: AbortController) => c.abort(new Error("runner stopping"));\n`,
    ],
    ["packages/config/src/probe.test.ts", `export function f(): never {\n  throw new Error("a test may");\n}\n`],
    [
      "packages/agent/src/testing/probe.ts",
      `export function f(): never {\n  throw new Error("a test helper may");\n}\n`,
    ],
  ])("%s may throw what it does", async (path, source) => {
    expect(await lint(path, source)).toEqual([]);
  });

  it("still refuses default exports there", async () => {
    const messages = await lint("packages/config/src/probe.ts", `export default 1;\n`);
    expect(messages).toContain("no-restricted-syntax: Use named exports.");
  });
});
