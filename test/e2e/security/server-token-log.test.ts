import { afterEach, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CADRE_BIN, startCadreServe } from "../../support/cadre-process.ts";

/** Runs `cadre serve` under a pseudo-terminal (util-linux `script`) until it says it is running. */
async function serveOnTerminal(home: string): Promise<string> {
  const command = `exec ${process.execPath} ${CADRE_BIN} serve --port 0 --slots 0`;
  const child = spawn("script", ["-qefc", command, "/dev/null"], {
    env: { ...process.env, CADRE_HOME: home },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on("data", () => {
      if (output.includes("Cadre is running at")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`cadre serve exited with ${code}:\n${output}`)));
  });
  const info = JSON.parse(await readFile(join(home, "server.json"), "utf8")) as { pid: number };
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(info.pid, "SIGTERM");
  await exited;
  return output;
}

/** Hole 12d: the admin token was printed into the server's log on first start. */
describe("security: the admin token and the server log", () => {
  const homes: string[] = [];
  afterEach(async () => {
    for (const home of homes.splice(0)) await rm(home, { recursive: true, force: true });
  });
  async function freshHome(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "cadre-token-"));
    homes.push(dir);
    return join(dir, "home");
  }

  it("with output going to a log, the token is not printed; the log says where it is and how to read it", async () => {
    const home = await freshHome();
    const server = await startCadreServe({ home, slots: 0 });
    await server.stop();
    const token = (await readFile(join(home, "token"), "utf8")).trim();
    expect(token.length).toBeGreaterThan(16);
    expect(server.logs()).not.toContain(token);
    expect(server.logs()).toContain(join(home, "token"));
    expect(server.logs()).toMatch(/cat .*token/);
    // a second start says nothing about it
    const again = await startCadreServe({ home, slots: 0 });
    await again.stop();
    expect(again.logs()).not.toContain(token);
    expect(again.logs()).not.toMatch(/new API token/);
  });

  it("on a terminal it is shown once, on the first start only", async () => {
    const home = await freshHome();
    const first = await serveOnTerminal(home);
    const token = (await readFile(join(home, "token"), "utf8")).trim();
    expect(first.split(token).length - 1).toBe(1);
    const second = await serveOnTerminal(home);
    expect(second).not.toContain(token);
  });
});
