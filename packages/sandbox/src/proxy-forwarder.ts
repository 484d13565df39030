import { PROXY_PORT } from "./sandbox-env.ts";

/** Where the forwarder script and the proxy socket appear inside the sandbox. */
export const SANDBOX_RUN_DIR = "/run/cadre";

/**
 * Runs inside the sandbox under the system's node: listens on 127.0.0.1:3128 (the sandbox's
 * only network is its own loopback), relays each connection to the host proxy's Unix socket,
 * then runs the command and exits with its status. CommonJS so it needs no package.json.
 */
export const FORWARDER_SOURCE = `"use strict";
const net = require("node:net");
const { spawn } = require("node:child_process");
const server = net.createServer((c) => {
  const u = net.connect(${JSON.stringify(SANDBOX_RUN_DIR + "/proxy.sock")});
  c.pipe(u); u.pipe(c);
  c.on("error", () => u.destroy()); u.on("error", () => c.destroy());
});
server.listen(${PROXY_PORT}, "127.0.0.1", () => {
  const child = spawn(process.argv[2], process.argv.slice(3), { stdio: "inherit" });
  child.on("exit", (code, signal) => process.exit(code === null ? 128 + (require("node:os").constants.signals[signal] || 9) : code));
  child.on("error", (e) => { console.error(String(e)); process.exit(127); });
});
`;
