import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Runner } from "./runner.ts";

/**
 * `GET /healthz` for probes (Kubernetes, systemd watchdogs, load balancers): 200 with the runner's
 * load while it is registered and accepted, 503 once the server refused it (its token was revoked).
 */
export async function startRunnerHealth(
  runner: Runner,
  host: string,
  port: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || req.url !== "/healthz") {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /healthz\n");
      return;
    }
    const ok = !runner.isRefused;
    const body = { ok, name: runner.name, activeAttempts: runner.activeCount };
    res.writeHead(ok ? 200 : 503, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${address.port}/healthz`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
