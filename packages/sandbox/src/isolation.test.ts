import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, testRequest, type TestRepo } from "./test-support.ts";
import type { Workspace } from "./types.ts";

describe("sandbox isolation (escape attempts)", () => {
  const cadreHome = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const root = join(cadreHome, "sandboxes");
  const manager = new SandboxManager({ root });
  let repo: TestRepo;
  let ws: Workspace;
  let other: Workspace;

  beforeAll(async () => {
    writeFileSync(join(cadreHome, "secret.key"), "top-secret-key-material");
    repo = makeTestRepo({ "a.txt": "a\n" });
    ws = await manager.provision(testRequest(repo));
    other = await manager.provision(testRequest(repo));
    await other.writeFile("other-secret.txt", "other attempt data\n");
  });
  afterAll(async () => {
    await ws.destroy();
    await other.destroy();
    repo.cleanup();
    rmSync(cadreHome, { recursive: true, force: true });
  });

  const cannotRead = async (hostPath: string): Promise<void> => {
    expect(existsSync(hostPath)).toBe(true); // the file is really there on the host
    const r = await ws.exec(`cat ${hostPath}`);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/No such file or directory/);
  };

  it("cannot read a file in the host user's home", async () => {
    const marker = join(homedir(), `.cadre-sbx-test-${process.pid}`);
    writeFileSync(marker, "host home data");
    try {
      await cannotRead(marker);
      const ls = await ws.exec(`ls -a ${homedir()} 2>&1; echo done`);
      expect(ls.output).not.toContain(".cadre-sbx-test");
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it("cannot read the Cadre home (secret key)", async () => {
    await cannotRead(join(cadreHome, "secret.key"));
  });

  it("cannot read the mirror", async () => {
    await cannotRead(join(repo.mirror, "HEAD"));
  });

  it("cannot read another attempt's workspace", async () => {
    const r = await ws.exec(
      `cat ${root}/attempts/*/upper/other-secret.txt; ls /proc/*/root 2>&1 | head -3; cat other-secret.txt`,
    );
    expect(r.output).not.toContain("other attempt data");
    expect(r.exitCode).not.toBe(0);
  });

  for (const target of ["/usr/cadre-escape", "/etc/cadre-escape", "/bin/cadre-escape"]) {
    it(`cannot write ${target}`, async () => {
      const r = await ws.exec(`echo x > ${target}`);
      expect(r.exitCode).not.toBe(0);
      expect(existsSync(target)).toBe(false);
    });
  }

  it("writes to /tmp stay private to the sandbox", async () => {
    const name = `/tmp/cadre-escape-${process.pid}`;
    const r = await ws.exec(`echo x > ${name} && cat ${name}`);
    expect(r.exitCode).toBe(0);
    expect(existsSync(name)).toBe(false);
  });

  describe("with a host process and a loopback server", () => {
    let server: Server;
    let port = 0;
    let connections = 0;
    let sleeper: ChildProcess;
    beforeAll(async () => {
      server = createServer((s) => {
        connections += 1;
        s.end("hello from host\n");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      port = (server.address() as { port: number }).port;
      sleeper = spawn("sleep", ["300"], { stdio: "ignore" });
    });
    afterAll(() => {
      server.close();
      sleeper.kill("SIGKILL");
    });

    it("cannot connect to a host loopback server with network off", async () => {
      const r = await ws.exec(`exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3`);
      expect(r.exitCode).not.toBe(0);
      expect(r.output).not.toContain("hello from host");
      expect(connections).toBe(0);
    });

    it("cannot see host processes", async () => {
      const r = await ws.exec("ps -eo pid,args");
      expect(r.exitCode).toBe(0);
      expect(r.output).not.toContain("sleep 300");
      const count = r.output.trim().split("\n").length - 1;
      expect(count).toBeLessThan(6);
    });

    it("cannot signal a host process", async () => {
      const r = await ws.exec(`kill -9 ${sleeper.pid}`);
      expect(r.exitCode).not.toBe(0);
      expect(sleeper.exitCode).toBeNull();
      expect(() => process.kill(sleeper.pid as number, 0)).not.toThrow();
    });
  });

  it("sees only declared environment variables", async () => {
    process.env.CADRE_HOST_ONLY = "leak";
    try {
      const r = await ws.exec("env");
      expect(r.output).not.toContain("CADRE_HOST_ONLY");
      expect(r.output).toContain("GIT_TERMINAL_PROMPT=0");
      expect(r.output).toContain("HOME=/home/agent");
    } finally {
      delete process.env.CADRE_HOST_ONLY;
    }
  });
});
