import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CadreClient } from "@cadre/client";

export const REPO_ROOT = resolve(import.meta.dirname, "..", "..");
export const CADRE_BIN = join(REPO_ROOT, "apps", "cli", "bin", "cadre.js");

export interface CadreServeProcess {
  url: string;
  token: string;
  home: string;
  child: ChildProcess;
  client: CadreClient;
  logs: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<void>;
}

/** Model config pointing every provider kind at the scripted model server. */
export async function writeScriptedConfig(
  home: string,
  modelUrl: string,
  model = "scripted/test-model",
  kind: "openai-responses" | "openai-chat" | "anthropic" = "openai-responses",
): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const provider = model.split("/")[0] as string;
  await writeFile(
    join(home, "config.json"),
    JSON.stringify(
      {
        defaultModel: model,
        providers: { [provider]: { kind, baseUrl: modelUrl, apiKey: "test-key", maxRetries: 2 } },
      },
      null,
      2,
    ),
  );
}

/** Runs `cadre serve` as a child process on a free port and waits until it answers. */
export async function startCadreServe(opts: {
  home: string;
  env?: Record<string, string>;
  slots?: number;
  args?: string[];
}): Promise<CadreServeProcess> {
  const child = spawn(
    process.execPath,
    [CADRE_BIN, "serve", "--port", "0", "--slots", String(opts.slots ?? 2), ...(opts.args ?? [])],
    {
      env: { ...process.env, CADRE_HOME: opts.home, CADRE_LEASE_MS: "3000", ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    // A machine shared by several suites took over 60 s; this stays inside the 120 s hook timeout.
    const timer = setTimeout(() => reject(new Error(`cadre serve did not start in 110s:\n${output}`)), 110_000);
    const check = () => {
      const m = /Cadre is running at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1] as string);
      }
    };
    child.stderr?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`cadre serve exited with ${code}:\n${output}`));
    });
  });
  const { readFile } = await import("node:fs/promises");
  const token = (await readFile(join(opts.home, "token"), "utf8")).trim();
  return {
    url,
    token,
    home: opts.home,
    child,
    client: new CadreClient({ baseUrl: url, token }),
    logs: () => output,
    stop: (signal = "SIGTERM") =>
      new Promise<void>((r) => {
        if (child.exitCode !== null || child.signalCode !== null) return r();
        child.once("exit", () => r());
        child.kill(signal);
      }),
  };
}

/** Runs the `cadre` CLI and captures its output and exit code. */
export function runCli(
  args: string[],
  env: Record<string, string>,
  opts: { cwd?: string; input?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [CADRE_BIN, ...args], {
      env: { ...process.env, ...env },
      cwd: opts.cwd ?? REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
    child.stdin.end(opts.input ?? "");
    child.on("exit", (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}
