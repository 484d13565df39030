import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPrivateAddress } from "./address-class.ts";
import { decideRequest, explicitlyListed, setupNetworkPolicy } from "./network-policy.ts";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, proxiedGet, testEnvironment, testRequest, type TestRepo } from "./test-support.ts";
import type { Workspace } from "./types.ts";

describe("proxy decisions", () => {
  const policy = {
    mode: "allowlist" as const,
    allow: ["registry.npmjs.org", "*.example.com", "local.test:8080"],
    readOnlyMethods: true,
  };
  it("matches exact and wildcard patterns", () => {
    expect(decideRequest(policy, { host: "registry.npmjs.org", port: 443, method: "CONNECT" }).allow).toBe(true);
    expect(decideRequest(policy, { host: "a.example.com", port: 443, method: "CONNECT" }).allow).toBe(true);
    expect(decideRequest(policy, { host: "example.com", port: 443, method: "CONNECT" }).allow).toBe(false);
    expect(decideRequest(policy, { host: "evil.com", port: 443, method: "CONNECT" }).allow).toBe(false);
    expect(decideRequest(policy, { host: "example.com.evil.com", port: 443, method: "GET" }).allow).toBe(false);
    expect(decideRequest(policy, { host: "local.test", port: 8080, method: "GET" }).allow).toBe(true);
    expect(decideRequest(policy, { host: "local.test", port: 8081, method: "GET" }).allow).toBe(false);
  });
  it("enforces read-only methods on plain HTTP", () => {
    expect(decideRequest(policy, { host: "a.example.com", port: 80, method: "POST" }).allow).toBe(false);
    expect(decideRequest(policy, { host: "a.example.com", port: 80, method: "HEAD" }).allow).toBe(true);
  });
  it("classifies private addresses", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "::1",
      "fe80::1",
      "fd00::1",
      "::ffff:127.0.0.1",
      "0.0.0.0",
      "::",
      "127.0.0.2",
      "100.127.255.254",
      "fd00:ec2::254",
      "::ffff:169.254.169.254",
      "224.0.0.251",
      "ff02::1",
      "255.255.255.255",
      "192.0.2.7",
      "198.18.0.1",
      "2001:db8::1",
      "not-an-address",
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["1.1.1.1", "140.82.112.3", "2606:4700::1111", "::ffff:8.8.8.8"])
      expect(isPrivateAddress(a), a).toBe(false);
  });
  it("counts every address of this host's own interfaces as private, whatever its range", () => {
    for (const list of Object.values(networkInterfaces()))
      for (const info of list ?? []) expect(isPrivateAddress(info.address), info.address).toBe(true);
  });
  it("on: any host name passes the policy (its address decides); off: none does", () => {
    const on = { mode: "on" as const, allow: [], readOnlyMethods: false };
    expect(decideRequest(on, { host: "example.org", port: 443, method: "CONNECT" }).allow).toBe(true);
    expect(decideRequest({ ...on, mode: "off" }, { host: "example.org", port: 443, method: "CONNECT" }).allow).toBe(
      false,
    );
    expect(decideRequest(on, { host: "bad host\r\nx", port: 443, method: "CONNECT" }).allow).toBe(false);
    expect(decideRequest({ ...on, readOnlyMethods: true }, { host: "a.org", port: 80, method: "PUT" }).allow).toBe(
      false,
    );
  });
  it("setup: the public internet plus the listed hosts, whatever the agent's policy", () => {
    const setup = setupNetworkPolicy({ mode: "off", allow: ["registry.internal:8080"], readOnlyMethods: true });
    expect(setup).toEqual({ mode: "on", allow: ["registry.internal:8080"], readOnlyMethods: false });
    expect(explicitlyListed(setup, "registry.internal", 8080)).toBe(true);
    expect(explicitlyListed(setup, "registry.internal", 8081)).toBe(false);
  });
});

describe("network policies in the sandbox", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const blocked: { host: string; method: string; reason: string }[] = [];
  const hosts: Record<string, string> = { "allowed.test": "127.0.0.1", "x.wild.test": "127.0.0.1" };
  const manager = new SandboxManager({
    root: join(home, "sandboxes"),
    resolveHost: async (h) => {
      const a = hosts[h];
      if (!a) throw new Error("not found");
      return [a];
    },
  });
  let repo: TestRepo;
  let http: HttpServer;
  let tcp: Server;
  let httpPort = 0;
  let tcpPort = 0;
  let allowlisted: Workspace;
  let open: Workspace;

  beforeAll(async () => {
    repo = makeTestRepo({ "a.txt": "a\n" });
    http = createHttpServer((req, res) => res.end(`hello ${req.method} ${req.url}\n`));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
    httpPort = (http.address() as { port: number }).port;
    tcp = createServer((s) => s.end("raw tcp\n"));
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", () => r()));
    tcpPort = (tcp.address() as { port: number }).port;
    allowlisted = await manager.provision(
      testRequest(repo, {
        environment: testEnvironment({}, { mode: "allowlist", allow: ["allowed.test", "*.wild.test"] }),
        onNetworkBlocked: (info) => blocked.push(info),
      }),
    );
    open = await manager.provision(
      testRequest(repo, { environment: testEnvironment({}, { mode: "on", allow: ["allowed.test"] }) }),
    );
  });
  afterAll(async () => {
    await allowlisted.destroy();
    await open.destroy();
    http.close();
    tcp.close();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("allowlist: reaches an explicitly listed host through the proxy", async () => {
    const r = await allowlisted.exec(proxiedGet(`http://allowed.test:${httpPort}/path`));
    expect(r.output).toContain("200 OK");
    expect(r.output).toContain("hello GET /path");
  });

  it("allowlist: curl uses the proxy variables", async () => {
    const r = await allowlisted.exec(`curl -sS http://allowed.test:${httpPort}/curl`);
    expect(r.output).toContain("hello GET /curl");
  });

  it("allowlist: blocks a domain not on the list", async () => {
    const before = blocked.length;
    const r = await allowlisted.exec(proxiedGet(`http://not-allowed.test:${httpPort}/`));
    expect(r.output).toContain("403");
    expect(r.output).not.toContain("hello");
    expect(blocked.slice(before)).toEqual([expect.objectContaining({ host: "not-allowed.test", method: "GET" })]);
  });

  it("allowlist: blocks a wildcard match that resolves to a loopback address", async () => {
    const before = blocked.length;
    const r = await allowlisted.exec(proxiedGet(`http://x.wild.test:${httpPort}/`));
    expect(r.output).toContain("403");
    expect(blocked.slice(before)[0]?.reason).toMatch(/private, loopback or host address/);
  });

  it("allowlist: blocks a CONNECT to a loopback IP", async () => {
    const before = blocked.length;
    const r = await allowlisted.exec(
      `exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'CONNECT 127.0.0.1:${tcpPort} HTTP/1.1\\r\\n\\r\\n' >&3 && cat <&3`,
    );
    expect(r.output).toContain("403");
    expect(r.output).not.toContain("raw tcp");
    expect(blocked.slice(before)[0]?.method).toBe("CONNECT");
  });

  it("allowlist: direct connections bypassing the proxy fail", async () => {
    const r = await allowlisted.exec(`exec 3<>/dev/tcp/127.0.0.1/${tcpPort} && cat <&3`);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).not.toContain("raw tcp");
  });

  it("on: the host's loopback is refused, directly and through the proxy", async () => {
    const direct = await open.exec(`exec 3<>/dev/tcp/127.0.0.1/${tcpPort} && cat <&3`);
    expect(direct.exitCode).not.toBe(0);
    expect(direct.output).not.toContain("raw tcp");
    const tunnel = await open.exec(
      `exec 3<>/dev/tcp/127.0.0.1/3128 && printf 'CONNECT 127.0.0.1:${tcpPort} HTTP/1.1\\r\\n\\r\\n' >&3 && cat <&3`,
    );
    expect(tunnel.output).toContain("403");
    expect(tunnel.output).not.toContain("raw tcp");
  });

  it("on: a name that is not listed and resolves to loopback is refused", async () => {
    const r = await open.exec(proxiedGet(`http://x.wild.test:${httpPort}/`));
    expect(r.output).toContain("403");
    expect(r.output).not.toContain("hello");
  });

  it("on: a host the environment lists explicitly is reachable even on a private address", async () => {
    const r = await open.exec(`curl -sS http://allowed.test:${httpPort}/listed`);
    expect(r.output).toContain("hello GET /listed");
  });

  it("on: sets the proxy variables in both cases, npm/pip/git friendly", async () => {
    const r = await open.exec("env | grep -i _proxy= | sort");
    for (const name of [
      "HTTP_PROXY",
      "HTTPS_PROXY",
      "ALL_PROXY",
      "NO_PROXY",
      "http_proxy",
      "https_proxy",
      "all_proxy",
      "no_proxy",
    ])
      expect(r.output).toMatch(new RegExp(`^${name}=`, "m"));
    expect(r.output).toContain("https_proxy=http://127.0.0.1:3128");
  });

  it("the proxy socket lives in a private directory: 0700 dir, 0600 socket, owned by this user", async () => {
    await allowlisted.exec("true");
    const sockets = ownListeningSockets().filter((path) => path.endsWith("/proxy.sock"));
    expect(sockets.length).toBeGreaterThan(0);
    for (const path of sockets) {
      const socket = statSync(path);
      const dir = statSync(dirname(path));
      expect(socket.mode & 0o777, path).toBe(0o600);
      expect(dir.mode & 0o777, path).toBe(0o700);
      expect(socket.uid).toBe(process.getuid?.());
      expect(dir.uid).toBe(process.getuid?.());
    }
  });
});

describe("setup reaches the network only through the proxy", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-sbx-home-"));
  const manager = new SandboxManager({
    root: join(home, "sandboxes"),
    resolveHost: async (host) => (["registry.test", "internal.test"].includes(host) ? ["127.0.0.1"] : []),
  });
  let repo: TestRepo;
  let tcp: Server;
  let http: HttpServer;
  let tcpPort = 0;
  let httpPort = 0;
  let ws: Workspace;
  const blocked: string[] = [];

  beforeAll(async () => {
    repo = makeTestRepo({ "a.txt": "a\n" });
    tcp = createServer((s) => s.end("host service\n"));
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", () => r()));
    tcpPort = (tcp.address() as { port: number }).port;
    http = createHttpServer((_req, res) => res.end("registry answer\n"));
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", () => r()));
    httpPort = (http.address() as { port: number }).port;
    const environment = testEnvironment(
      {
        setupScript: [
          `(exec 3<>/dev/tcp/127.0.0.1/${tcpPort} && cat <&3) > direct.txt 2>&1 || echo refused >> direct.txt`,
          `curl -sS http://registry.test:${httpPort}/ > listed.txt 2>&1`,
          `curl -sS http://internal.test:${tcpPort}/ > loopback.txt 2>&1 || true`,
        ].join("\n"),
      },
      { mode: "off", allow: [`registry.test:${httpPort}`] },
    );
    ws = await manager.provision(
      testRequest(repo, { environment, onNetworkBlocked: (info) => blocked.push(info.host) }),
    );
  });
  afterAll(async () => {
    await ws.destroy();
    tcp.close();
    http.close();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("cannot connect to a host loopback service directly (even with the agent's policy off)", async () => {
    const out = (await ws.readFile("direct.txt"))?.toString() ?? "";
    expect(out).toContain("refused");
    expect(out).not.toContain("host service");
  });

  it("reaches a host the environment lists, through the proxy", async () => {
    expect((await ws.readFile("listed.txt"))?.toString()).toContain("registry answer");
  });

  it("is refused by the proxy for a name it does not list that resolves to the host's loopback", async () => {
    expect((await ws.readFile("loopback.txt"))?.toString()).not.toContain("host service");
    expect(blocked).toContain("internal.test");
  });
});

/** Paths of the Unix sockets this process listens on. */
function ownListeningSockets(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match?.[1]) inodes.add(match[1]);
    } catch {
      // closed meanwhile
    }
  }
  const paths: string[] = [];
  for (const line of readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)) {
    const [, , , flags, , , inode, path] = line.trim().split(/\s+/);
    if (inode && path?.startsWith("/") && flags === "00010000" && inodes.has(inode)) paths.push(path);
  }
  return paths;
}
