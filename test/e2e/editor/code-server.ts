import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";

export const CODE_SERVER_DIR = process.env.CADRE_CODE_SERVER_DIR ?? "/opt/cadre-code-server";
export const CODE_SERVER_VERSION = process.env.CADRE_CODE_SERVER_VERSION ?? "4.100.3";
const ENTRY = join(CODE_SERVER_DIR, "node_modules", "code-server", "out", "node", "entry.js");

/** Installed by test/e2e/editor/install-code-server.sh (which .ci/run calls before the e2e suite). */
export function codeServerInstalled(): boolean {
  return existsSync(join(CODE_SERVER_DIR, `.installed-${CODE_SERVER_VERSION}`)) && existsSync(ENTRY);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export interface CodeServer {
  url: string;
  logs: () => string;
  stop: () => Promise<void>;
}

/** Installs a .vsix into a private extensions folder with code-server's own CLI. */
export function installExtension(dir: string, vsix: string): string {
  const res = spawnSync(
    process.execPath,
    [
      ENTRY,
      "--user-data-dir",
      join(dir, "user-data"),
      "--extensions-dir",
      join(dir, "extensions"),
      "--install-extension",
      vsix,
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (res.status !== 0)
    throw new Error(`code-server --install-extension failed (${res.status}):\n${res.stdout}\n${res.stderr}`);
  return res.stdout + res.stderr;
}

/** Starts code-server (no auth, no telemetry, private user data) and waits until it serves. */
export async function startCodeServer(dir: string, env: Record<string, string>): Promise<CodeServer> {
  const port = await freePort();
  await mkdir(join(dir, "user-data", "User"), { recursive: true });
  await writeFile(join(dir, "config.yaml"), "auth: none\n");
  // Settings: no trust prompt or welcome page in the way of the test.
  await writeFile(
    join(dir, "user-data", "User", "settings.json"),
    JSON.stringify({
      "security.workspace.trust.enabled": false,
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoUpdate": false,
      "extensions.autoCheckUpdates": false,
    }),
  );
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ENTRY,
      "--config",
      join(dir, "config.yaml"),
      "--bind-addr",
      `127.0.0.1:${port}`,
      "--auth",
      "none",
      "--disable-telemetry",
      "--disable-update-check",
      "--disable-workspace-trust",
      "--disable-getting-started-override",
      "--user-data-dir",
      join(dir, "user-data"),
      "--extensions-dir",
      join(dir, "extensions"),
    ],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/healthz`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`code-server did not answer in 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    logs: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
