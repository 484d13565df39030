import { spawn, type ChildProcess } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Socket } from "node:net";
import { enterNetworkPrefix } from "./overlay.ts";
import { LAUNCH_ENV } from "./launcher.ts";
import { PROXY_PORT } from "./sandbox-env.ts";
import { SandboxError } from "./types.ts";

/**
 * Runs under the host's node in a phase's network namespace, outside bubblewrap (it sees the
 * host's filesystem, so the sandbox needs no Node.js of its own): listens on 127.0.0.1:3128 there
 * and relays each connection to the egress proxy's Unix socket. It exits when its stdin closes,
 * so it never outlives the Cadre process. CommonJS so it needs no package.json.
 */
const FORWARDER_SOURCE = `"use strict";
const net = require("node:net");
const [socketPath, port] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(socketPath);
  client.pipe(upstream);
  upstream.pipe(client);
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
  client.on("close", () => upstream.destroy());
  upstream.on("close", () => client.destroy());
});
server.on("error", (error) => {
  process.stderr.write(String(error) + "\\n");
  process.exit(1);
});
server.listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\\n"));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`;

/** A new network namespace has its loopback down; the forwarder's address lives there. */
const LOOPBACK_THEN_EXEC = 'ip link set lo up || exit 122; exec "$@"';

/** The relay from a phase's network namespace to the host-side egress proxy. */
export class ProxyForwarder {
  private constructor(private readonly child: ChildProcess) {}

  /** Starts the forwarder in the network namespace of `holderPid`; resolves once it listens. */
  static async start(o: { holderPid: number; socketPath: string; dir: string }): Promise<ProxyForwarder> {
    const script = join(o.dir, "forwarder.cjs");
    await writeFile(script, FORWARDER_SOURCE, { mode: 0o600 });
    const argv = [
      ...enterNetworkPrefix(o.holderPid),
      "sh",
      "-c",
      LOOPBACK_THEN_EXEC,
      "sh",
      process.execPath,
      script,
      o.socketPath,
      String(PROXY_PORT),
    ];
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["pipe", "pipe", "pipe"], env: LAUNCH_ENV });
    await new Promise<void>((resolve, reject) => {
      let stderr = "";
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      child.stdout.on("data", (b: Buffer) => {
        if (b.toString().includes("ready")) resolve();
      });
      child.on("error", (error) =>
        reject(new SandboxError("sandbox_error", `could not start the proxy forwarder: ${error.message}`)),
      );
      child.on("exit", (code) =>
        reject(
          new SandboxError(
            "sandbox_error",
            `the sandbox's proxy forwarder exited (code ${code}): ${stderr.trim() || "no output"}; check that iproute2 is installed`,
          ),
        ),
      );
    });
    for (const stream of [child.stdin, child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
    child.unref();
    return new ProxyForwarder(child);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    // Referenced again so the wait for its exit keeps this process alive.
    this.child.ref();
    this.child.kill("SIGKILL");
    await exited;
  }
}
