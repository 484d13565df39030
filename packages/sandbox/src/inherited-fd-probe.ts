import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, testRequest } from "./test-support.ts";

/**
 * Run by inherited-fds.test.ts as a child that inherited descriptor 99 (as Cadre would from the
 * program that started it): one sandboxed command tries to write to it and lists its descriptors.
 */
const home = mkdtempSync(join(tmpdir(), "cadre-fd-probe-"));
const repo = makeTestRepo({ "a.txt": "a\n" });
try {
  const ws = await new SandboxManager({ root: join(home, "sandboxes") }).provision(testRequest(repo));
  const result = await ws.exec("echo WRITTEN-FROM-SANDBOX >&99; ls /proc/self/fd | tr '\\n' ' '");
  process.stdout.write(JSON.stringify({ output: result.output }));
  await ws.destroy();
} finally {
  repo.cleanup();
  rmSync(home, { recursive: true, force: true });
}
