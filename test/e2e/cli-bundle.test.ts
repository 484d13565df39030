import { readdir, readFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CLI_DIST } from "../../scripts/build-cli.mjs";
import { REPO_ROOT, runCli } from "../support/cadre-process.ts";

const REBUILD_NOTICE = "building the CLI bundle";

/** The files Node loads for a command that imports nothing lazily: main.js and its static imports. */
async function staticClosure(entry: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const visit = async (name: string): Promise<void> => {
    if (files.has(name)) return;
    const source = await readFile(join(CLI_DIST, name), "utf8");
    files.set(name, source);
    for (const match of source.matchAll(/(?:^|[;\n])import\s*(?:[\w$\s{},*]*?from\s*)?"\.\/([^"]+)"/g))
      await visit(match[1] as string);
  };
  await visit(entry);
  return files;
}

describe("the cadre CLI bundle", () => {
  it("is what the cadre command runs, up to date after the suite's setup", async () => {
    const result = await runCli(["--version"], {});
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("0.1.0");
    expect(result.stderr).not.toContain(REBUILD_NOTICE);
    expect(result.stderr).not.toContain("TypeScript sources");
  });

  it("is rebuilt by the command itself once a source is newer than it", async () => {
    const source = join(REPO_ROOT, "apps", "cli", "src", "exit-codes.ts");
    const now = new Date();
    await utimes(source, now, now);
    const first = await runCli(["--version"], {});
    expect(first.code).toBe(0);
    expect(first.stderr).toContain(REBUILD_NOTICE);
    const second = await runCli(["--version"], {});
    expect(second.code).toBe(0);
    expect(second.stderr).not.toContain(REBUILD_NOTICE);
  });

  it("loads neither the server stack, PGlite, the MCP SDK nor the spinner for an ordinary command", async () => {
    const loaded = [...(await staticClosure("main.js")).values()].join("\n");
    expect(loaded.includes("Cadre: self-hosted cloud coding agents")).toBe(true);
    // One name from each: @hono/node-server, PGlite (external), the MCP SDK, ora's cli-spinners.
    const heavy = ["createAdaptorServer", "@electric-sql/pglite", "McpServer", "dots12"];
    const everything = (await readdir(CLI_DIST)).filter((name) => name.endsWith(".js"));
    const all = (await Promise.all(everything.map((name) => readFile(join(CLI_DIST, name), "utf8")))).join("\n");
    for (const name of heavy) {
      expect(all.includes(name), `${name} is in the bundle`).toBe(true);
      expect(loaded.includes(name), `${name} is loaded at start`).toBe(false);
    }
  });

  it("runs from the TypeScript sources with CADRE_DEV=1", async () => {
    const result = await runCli(["--version"], { CADRE_DEV: "1" });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe("0.1.0");
  });
});
