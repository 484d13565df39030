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

describe("the layers as a lint rule", () => {
  it.each([
    ["packages/protocol/src/probe.ts", "@cadre/store", /packages\/protocol may not import @cadre\/store/],
    ["packages/agent/src/probe.ts", "@cadre/store", /packages\/agent may not import @cadre\/store/],
    [
      "packages/agent/src/loop/probe.ts",
      "hono",
      /packages\/agent may not import this package: the agent knows nothing of HTTP/,
    ],
    ["packages/sandbox/src/probe.ts", "@cadre/runner", /packages\/sandbox may not import @cadre\/runner/],
    ["packages/git/src/probe.ts", "@cadre/sandbox/src/types.ts", /packages\/git may not import @cadre\/sandbox/],
    ["apps/server/src/probe.ts", "@cadre/runner", /apps\/server may not import @cadre\/runner/],
    ["apps/server/src/probe.ts", "@cadre/sandbox", /apps\/server may not import @cadre\/sandbox/],
    ["apps/server/src/probe.ts", "@cadre/agent", /apps\/server may not import @cadre\/agent/],
    [
      "apps/runner/src/probe.ts",
      "@cadre/store",
      /apps\/runner may not import @cadre\/store: a runner reaches the server/,
    ],
    [
      "apps/web/src/probe.ts",
      "@cadre/store",
      /apps\/web may not import @cadre\/store: the web app talks only through @cadre\/client/,
    ],
  ])("%s importing %s fails", async (path, target, message) => {
    const messages = await lint(path, `import { x } from "${target}";\nexport const y = x;\n`);
    expect(
      messages.some((text) => text.startsWith("no-restricted-imports") && message.test(text)),
      messages.join("\n"),
    ).toBe(true);
  });

  it("keeps git commands inside packages/git (tests may still run git to set up repositories)", async () => {
    const source = `import { runGit } from "@cadre/git";\nexport const y = runGit;\n`;
    const messages = await lint("apps/cli/src/probe.ts", source);
    expect(messages.join("\n")).toMatch(/apps\/cli may not assemble git commands: add a function to packages\/git/);
    expect(await lint("apps/cli/src/probe.test.ts", source)).toEqual([]);
    expect(await lint("packages/git/src/probe.ts", source.replace("@cadre/git", "./run-git.ts"))).toEqual([]);
  });

  it("lets each layer import what it may", async () => {
    expect(
      await lint("packages/agent/src/probe.ts", `import { x } from "@cadre/protocol";\nexport const y = x;\n`),
    ).toEqual([]);
    expect(
      await lint("packages/sandbox/src/probe.ts", `import { x } from "@cadre/git";\nexport const y = x;\n`),
    ).toEqual([]);
  });
});
