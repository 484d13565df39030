import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideRequest, isPrivateAddress } from "./network-policy.ts";
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
    ]) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ["1.1.1.1", "140.82.112.3", "2606:4700::1111"]) expect(isPrivateAddress(a), a).toBe(false);
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
    open = await manager.provision(testRequest(repo, { environment: testEnvironment({}, { mode: "on" }) }));
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
    expect(blocked.slice(before)[0]?.reason).toMatch(/private or loopback/);
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

  it("on: shares the host network", async () => {
    const r = await open.exec(`exec 3<>/dev/tcp/127.0.0.1/${tcpPort} && cat <&3`);
    expect(r.output).toContain("raw tcp");
  });
});
