import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HELPER_SLOTS } from "./command-helper.ts";
import { SandboxManager } from "./sandbox-manager.ts";
import { makeTestRepo, testRequest, type TestRepo } from "./test-support.ts";
import type { Workspace } from "./types.ts";

describe("commands launched by the workspace holder's command loop", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-helper-"));
  const manager = new SandboxManager({ root: join(home, "sandboxes") });
  let repo: TestRepo;
  let ws: Workspace;

  beforeAll(async () => {
    repo = makeTestRepo({ "a.txt": "a\n" });
    ws = await manager.provision(testRequest(repo));
  });
  afterAll(async () => {
    await ws.destroy();
    repo.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  it("refuses a command holding a NUL byte, which would smuggle a request of its own to the holder", async () => {
    // The holder reads NUL-separated fields: everything after the NUL would be read as a second
    // request, whose argv (a host shell, outside bubblewrap) writes a file on the host.
    const marker = join(home, "escaped-from-sandbox");
    const smuggled = ["run", "x", "0", "0", "64", "1048576", "1048576", "0", "3", "/bin/sh", "-c", `touch ${marker}`];
    await expect(ws.exec(`true\0${smuggled.join("\0")}`)).rejects.toThrow(/NUL/);
    // The loop handles requests in order: one that ran after the smuggled one would have started it.
    expect((await ws.exec("echo after")).output).toBe("after\n");
    for (let i = 0; i < 20 && !existsSync(marker); i++) await sleep(50);
    expect(existsSync(marker)).toBe(false);
  });

  it("runs more commands at once than it has slots (the rest are spawned) and keeps each one's output apart", async () => {
    const count = HELPER_SLOTS + 3;
    const results = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        ws.exec(`sleep 0.3; echo out-${index}; echo err-${index} >&2; exit ${index % 7}`),
      ),
    );
    results.forEach((result, index) => {
      expect(result.output).toBe(`out-${index}\nerr-${index}\n`);
      expect(result.exitCode).toBe(index % 7);
    });
  });
});
