/**
 * The real Codex CLI (@openai/codex, from npm) for the tests and benchmarks that use it as a peer
 * or as an MCP client. It is installed outside the repository, into ~/.cache/cadre-bench/codex,
 * once: a later call finds the right version there and installs nothing.
 * Run `npx tsx test/support/codex-cli.ts` to install it ahead (scripts/test.sh does).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const CODEX_VERSION = "0.169.0";
export const CODEX_CACHE_DIR = join(homedir(), ".cache", "cadre-bench");

export type CodexInstall = { bin: string } | { unavailable: string };

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 16 << 20, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, out: `${stdout}${stderr}${error && code === null ? `\n${error.message}` : ""}` });
    });
  });
}

/** The most telling line of a tool's output: npm's first error line that is not a log pointer, else the last line. */
export function lastLine(output: string): string {
  const lines = output
    .trim()
    .split("\n")
    .filter((line) => line && !/^npm warn/i.test(line) && !/complete log of this run|^npm error\s*$/i.test(line));
  return (lines.find((line) => /^npm error/i.test(line)) ?? lines.pop() ?? "no output").slice(0, 120);
}

/** `codex` from the cache, installed there with npm if missing or of another version. */
export async function ensureCodex(): Promise<CodexInstall> {
  const dir = join(CODEX_CACHE_DIR, "codex");
  const bin = join(dir, "node_modules", ".bin", "codex");
  const version = async (): Promise<string> =>
    existsSync(bin) ? (await run(bin, ["--version"], 30_000)).out.trim() : "";
  if ((await version()).includes(CODEX_VERSION)) return { bin };
  await mkdir(dir, { recursive: true });
  const npm = await run(
    "npm",
    ["install", "--prefix", dir, "--no-audit", "--no-fund", `@openai/codex@${CODEX_VERSION}`],
    300_000,
  );
  if (npm.code !== 0) return { unavailable: `npm install failed (${npm.code ?? "killed"}): ${lastLine(npm.out)}` };
  const installed = await version();
  return installed.includes(CODEX_VERSION)
    ? { bin }
    : { unavailable: `installed codex does not run: ${lastLine(installed) || "no binary"}` };
}

/** A fresh CODEX_HOME in the cache: Codex refuses to set up its sandbox helper under /tmp. */
export async function makeCodexHome(prefix = "codex-home-"): Promise<string> {
  await mkdir(CODEX_CACHE_DIR, { recursive: true });
  return mkdtemp(join(CODEX_CACHE_DIR, prefix));
}

export interface CodexMcpServer {
  command: string;
  args: string[];
  env: Record<string, string>;
}

const tomlString = (value: string): string => JSON.stringify(value);

/**
 * `config.toml` for a Responses-API model server (`modelUrl` ends in /v1) and, optionally, stdio
 * MCP servers. `required` makes Codex wait for a server's tools before the first turn instead of
 * starting without them when the server takes more than a moment to come up.
 */
export async function writeCodexConfig(
  codexHome: string,
  modelUrl: string,
  mcpServers: Record<string, CodexMcpServer> = {},
): Promise<void> {
  const lines = [
    'model = "scripted"',
    'model_provider = "scripted"',
    "[model_providers.scripted]",
    'name = "scripted"',
    `base_url = ${tomlString(modelUrl)}`,
    'wire_api = "responses"',
    'env_key = "OPENAI_API_KEY"',
  ];
  for (const [name, server] of Object.entries(mcpServers)) {
    const env = Object.entries(server.env).map(([key, value]) => `${key} = ${tomlString(value)}`);
    lines.push(
      `[mcp_servers.${name}]`,
      `command = ${tomlString(server.command)}`,
      `args = [${server.args.map(tomlString).join(", ")}]`,
      `env = { ${env.join(", ")} }`,
      "required = true",
    );
  }
  await writeFile(join(codexHome, "config.toml"), `${lines.join("\n")}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const codex = await ensureCodex();
  if ("unavailable" in codex) {
    console.error(`Codex CLI ${CODEX_VERSION}: ${codex.unavailable}`);
    process.exit(1);
  }
  console.log(`Codex CLI ${CODEX_VERSION} ready: ${codex.bin}`);
}
