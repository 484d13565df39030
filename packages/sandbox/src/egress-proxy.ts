import { lookup } from "node:dns/promises";
import {
  request as httpRequest,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { connect, isIP, type Socket } from "node:net";
import { chmod, rm } from "node:fs/promises";
import type { Duplex } from "node:stream";
import type { NetworkPolicy } from "@cadre/protocol";
import { isPrivateAddress } from "./address-class.ts";
import { decideRequest, explicitlyListed } from "./network-policy.ts";

export type ResolveHost = (host: string) => Promise<string[]>;

export interface EgressProxyOptions {
  socketPath: string;
  policy: NetworkPolicy;
  /** Name resolution (tests map names to loopback servers); default: the system resolver. */
  resolveHost?: ResolveHost;
  onBlocked?: (info: { host: string; method: string; reason: string }) => void;
}

const defaultResolve: ResolveHost = async (host) => (await lookup(host, { all: true })).map((a) => a.address);

/**
 * The egress proxy (HTTP CONNECT and plain absolute-URI HTTP) on a Unix socket in a private
 * directory, usable by Cadre's user alone (0600). A sandbox's network namespace has no route out;
 * a forwarder in it relays 127.0.0.1:3128 to this socket. Names are resolved here and the checked
 * address is the one connected to, so DNS rebinding cannot reach a private address; private,
 * loopback, link-local, metadata and this host's own addresses are refused unless the host is
 * listed literally.
 */
export class EgressProxy {
  private readonly sockets = new Set<Socket | Duplex>();

  private constructor(
    private readonly server: Server,
    readonly socketPath: string,
  ) {}

  static async start(o: EgressProxyOptions): Promise<EgressProxy> {
    const resolveHost = o.resolveHost ?? defaultResolve;
    const server = createServer();
    const proxy = new EgressProxy(server, o.socketPath);
    const block = (host: string, method: string, reason: string): void => o.onBlocked?.({ host, method, reason });

    const target = async (
      host: string,
      port: number,
      method: string,
    ): Promise<{ address: string } | { reason: string }> => {
      const decision = decideRequest(o.policy, { host, port, method });
      if (!decision.allow) return { reason: decision.reason };
      let addresses: string[];
      try {
        addresses = isIP(host) ? [host] : await resolveHost(host);
      } catch {
        return { reason: `could not resolve ${host}` };
      }
      const explicit = explicitlyListed(o.policy, host, port);
      const address = addresses.find((a) => explicit || !isPrivateAddress(a));
      if (!address)
        return {
          reason: `${host} resolves to a private, loopback or host address (${addresses.join(", ")}); list it explicitly (with its port) in the environment's network allow list to reach it`,
        };
      return { address };
    };

    server.on("connect", (req: IncomingMessage, client: Duplex, head: Buffer) => {
      proxy.track(client);
      const [host = "", portText = "443"] = splitHostPort(req.url ?? "");
      const port = Number(portText);
      void target(host, port, "CONNECT").then((t) => {
        if ("reason" in t) {
          block(host, "CONNECT", t.reason);
          client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\nblocked by Cadre: ${t.reason}\n`);
          return;
        }
        const upstream = connect({ host: t.address, port }, () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          if (head.length > 0) upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        proxy.track(upstream);
        upstream.on("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
        client.on("error", () => upstream.destroy());
      });
    });

    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      let url: URL;
      try {
        url = new URL(req.url ?? "");
      } catch {
        res.writeHead(400).end("the Cadre proxy needs absolute http:// URLs\n");
        return;
      }
      const method = req.method ?? "GET";
      if (url.protocol !== "http:") {
        res.writeHead(400).end("only http:// is proxied directly; https goes through CONNECT\n");
        return;
      }
      const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
      const port = Number(url.port || 80);
      void target(host, port, method).then((t) => {
        if ("reason" in t) {
          block(host, method, t.reason);
          res.writeHead(403, { "content-type": "text/plain" }).end(`blocked by Cadre: ${t.reason}\n`);
          return;
        }
        const headers = withoutHopHeaders(req.headers);
        const upstream = httpRequest(
          { host: t.address, port, method, path: url.pathname + url.search, headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, withoutHopHeaders(up.headers));
            up.pipe(res);
          },
        );
        upstream.on("error", (e) =>
          res.headersSent ? res.destroy() : res.writeHead(502).end(`upstream error: ${e.message}\n`),
        );
        req.pipe(upstream);
      });
    });

    await rm(o.socketPath, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(o.socketPath, () => resolve());
    });
    await chmod(o.socketPath, 0o600);
    server.unref();
    return proxy;
  }

  private track(s: Socket | Duplex): void {
    this.sockets.add(s);
    s.on("close", () => this.sockets.delete(s));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    await rm(this.socketPath, { force: true });
  }
}

function splitHostPort(value: string): [string, string] {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  return m ? [m[1] as string, m[2] as string] : [value, "443"];
}

/** Hop-by-hop headers belong to one connection; forwarding them would keep idle sockets open. */
function withoutHopHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of ["connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailer", "upgrade"])
    delete out[h];
  return out;
}
