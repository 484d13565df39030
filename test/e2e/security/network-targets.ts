import { once } from "node:events";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { connect, createServer, type Server } from "node:net";
import { networkInterfaces } from "node:os";

/** A host service the sandbox must not reach, and how many connections it received. */
export interface HostTarget {
  name: string;
  host: string;
  port: number;
  /** Connections accepted so far; null for services the test does not own (PostgreSQL, the Cadre port). */
  connections: () => number | null;
}

export interface HostTargets {
  targets: HostTarget[];
  abstractName: string;
  abstractConnections: () => number;
  /** An HTTP server on the host's LAN address that the environment lists explicitly, or null without one. */
  allowed: { host: string; port: number; body: string; requests: () => number } | null;
  close: () => Promise<void>;
}

/** The first non-loopback IPv4 address of this host (what a sandbox would reach as "the LAN"). */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces()))
    for (const info of list ?? []) if (!info.internal && info.family === "IPv4") return info.address;
  return null;
}

async function listening(server: Server | HttpServer, host: string | { path: string }): Promise<number> {
  if (typeof host === "string") server.listen(0, host);
  else server.listen(host.path);
  await once(server, "listening");
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

function countingServer(): { server: Server; count: () => number } {
  let count = 0;
  const server = createServer((socket) => {
    count += 1;
    socket.on("error", () => undefined);
    socket.end("HOST-SERVICE-REACHED\n");
  });
  return { server, count: () => count };
}

/** Whether something listens on host:port (PostgreSQL is optional outside CI). */
export function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
  });
}

/**
 * Starts the services an attack would aim at: TCP servers on 127.0.0.1, ::1, 127.0.0.2 and the
 * LAN address, an abstract Unix socket, and an HTTP server on the LAN address for the allowlist.
 */
export async function startHostTargets(extra: HostTarget[]): Promise<HostTargets> {
  const servers: (Server | HttpServer)[] = [];
  const targets: HostTarget[] = [];
  const lan = lanAddress();
  for (const [name, host] of [
    ["loopback-v4", "127.0.0.1"],
    ["loopback-v6", "::1"],
    ["loopback-127.0.0.2", "127.0.0.2"],
    ...(lan ? [["lan", lan]] : []),
  ] as [string, string][]) {
    const { server, count } = countingServer();
    servers.push(server);
    targets.push({ name, host, port: await listening(server, host), connections: count });
  }
  targets.push({ name: "localhost-name", host: "localhost", port: targets[0]?.port ?? 1, connections: () => null });
  targets.push(...extra);
  const abstractName = `cadre-test-abstract-${process.pid}-${Date.now()}`;
  const abstract = countingServer();
  servers.push(abstract.server);
  await listening(abstract.server, { path: `\0${abstractName}` });
  let allowed: HostTargets["allowed"] = null;
  if (lan) {
    let requests = 0;
    const body = `allowed-host-content-${process.pid}`;
    const http = createHttpServer((_req, res) => {
      requests += 1;
      res.end(`${body}\n`);
    });
    servers.push(http);
    allowed = { host: lan, port: await listening(http, lan), body, requests: () => requests };
  }
  return {
    targets,
    abstractName,
    abstractConnections: abstract.count,
    allowed,
    close: async () => {
      for (const server of servers) server.close();
    },
  };
}
