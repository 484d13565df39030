import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TaskWithAttempts } from "@cadre/protocol";
import type { ScriptContext, Step } from "../../support/scripted-model/index.ts";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";
import { shellStep, turnStep } from "../../support/script-helpers.ts";

const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
/** The system's python3: another user must be able to run it (a PATH may point into root's home). */
const PYTHON = "/usr/bin/python3";

function script(ctx: ScriptContext): Step {
  // Holds the attempt (and so its egress proxy) open until the test cancels the task.
  if (turnStep(ctx) === 0) return shellStep("echo holding; sleep 600");
  return { text: "done" };
}

/** Paths of the Unix sockets a process listens on (from its fds and /proc/net/unix). */
function listeningSocketPaths(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const link = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return "";
      }
    })();
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match?.[1]) inodes.add(match[1]);
  }
  const paths: string[] = [];
  for (const line of readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)) {
    // Num RefCount Protocol Flags Type St Inode Path; flags 00010000 = listening.
    const fields = line.trim().split(/\s+/);
    const [, , , flags, , , inode, path] = fields;
    if (inode && path && path.startsWith("/") && flags === "00010000" && inodes.has(inode)) paths.push(path);
  }
  return paths;
}

/** Connects to a Unix socket as another user; true when the connection was accepted. */
function connectsAs(uid: number | null, path: string): boolean {
  const program =
    "import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(5); s.connect(sys.argv[1]); print('connected')";
  const argv =
    uid === null
      ? [PYTHON, "-c", program, path]
      : ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", PYTHON, "-c", program, path];
  const result = spawnSync(argv[0] as string, argv.slice(1), { encoding: "utf8", timeout: 15_000 });
  return result.stdout.includes("connected");
}

describe.skipIf(!isRoot)("the egress proxy's socket is Cadre's alone (hole 12a)", () => {
  let h: Harness;
  let task: TaskWithAttempts;
  let sockets: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ script });
    const created = await h.cli([
      "env",
      "create",
      "allow-some",
      "--repo",
      "calc",
      "--network",
      "allowlist",
      "--allow",
      "registry.npmjs.org",
    ]);
    expect(created.code, created.stderr).toBe(0);
    task = await h.json<TaskWithAttempts>(["task", "new", "hold the sandbox", "--repo", "calc", "--env", "allow-some"]);
    const pid = h.server.child.pid as number;
    // The proxy starts with the attempt's first command; wait for its socket (bounded).
    for (let i = 0; i < 600 && sockets.length === 0; i++) {
      sockets = listeningSocketPaths(pid);
      if (sockets.length === 0) await sleep(100);
    }
  });
  afterAll(async () => {
    if (task) await h.cli(["task", "cancel", task.id]);
    await h?.stop();
  });

  it("the server listens on a proxy socket while an allowlist attempt runs", () => {
    expect(sockets.length).toBeGreaterThan(0);
  });

  it("Cadre itself can connect (the socket is live)", () => {
    for (const path of sockets) expect(connectsAs(null, path), path).toBe(true);
  });

  it("another local user can connect to a socket left open to all (the check works)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cadre-open-sock-"));
    await chmod(dir, 0o755);
    const server = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(join(dir, "open.sock"), () => resolve()));
    await chmod(join(dir, "open.sock"), 0o666);
    try {
      expect(connectsAs(NOBODY, join(dir, "open.sock"))).toBe(true);
    } finally {
      server.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("another local user cannot connect to it", () => {
    for (const path of sockets) expect(connectsAs(NOBODY, path), path).toBe(false);
  });
});
