import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readdir, readFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import type { TaskWithAttempts } from "@cadre/protocol";
import { startHarness, type Harness } from "../../support/cadre-harness.ts";

const SECRET = `cmdline-secret-${randomBytes(8).toString("hex")}`;
const MARKER = `setup-running-${randomBytes(6).toString("hex")}`;

/** Every host process's command line, as any local user can read it (what `ps` shows). */
async function commandLines(): Promise<{ pid: number; line: string }[]> {
  const lines: { pid: number; line: string }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const line = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => null);
    if (line !== null) lines.push({ pid: Number(entry), line: line.split("\0").join(" ") });
  }
  return lines;
}

describe("setup secrets on command lines", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ script: () => ({ text: "done" }) });
  });
  afterAll(async () => h?.stop());

  it("no host process shows a secret in its command line while setup runs", async () => {
    // The marker is in the script text (not secret); the script holds the secret in its environment.
    await h.json([
      "env",
      "create",
      "secret-env",
      "--repo",
      "calc",
      "--secret",
      `API_TOKEN=${SECRET}`,
      "--setup",
      `test -n "$API_TOKEN" && sleep 120 # ${MARKER}`,
    ]);
    const task = await h.json<TaskWithAttempts>(["task", "new", "anything", "--repo", "calc", "--env", "secret-env"]);
    let running: { pid: number; line: string }[] = [];
    for (let i = 0; i < 600 && running.length === 0; i++) {
      running = (await commandLines()).filter((p) => p.line.includes(MARKER));
      if (running.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    try {
      // The setup command is running now (its shell shows the marker): every command line is readable.
      expect(running.length).toBeGreaterThan(0);
      const leaking = (await commandLines()).filter((p) => p.line.includes(SECRET));
      expect(leaking.map((p) => p.line.slice(0, 300))).toEqual([]);
    } finally {
      // End the setup: its processes are this test's own (started through its server).
      for (const p of running) {
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    let ended = await h.json<TaskWithAttempts>(["task", "show", task.id]);
    for (let i = 0; i < 300 && ended.status !== "failed"; i++) {
      await new Promise((r) => setTimeout(r, 200));
      ended = await h.json<TaskWithAttempts>(["task", "show", task.id]);
    }
    expect(ended.attempts[0]?.failureReason).toBe("setup_failed");
  });
});
