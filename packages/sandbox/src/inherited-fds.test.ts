import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const PROBE = fileURLToPath(new URL("./inherited-fd-probe.ts", import.meta.url));

describe("descriptors Cadre inherited", () => {
  const dir = mkdtempSync(join(tmpdir(), "cadre-fd-leak-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("do not reach the sandbox: a command cannot write to one its server's parent left open", async () => {
    // A shell opens descriptor 99 on a file and starts the Cadre side, as a service script might.
    // (Node marks low descriptors close-on-exec at start; higher ones stay inheritable.)
    const target = join(dir, "parent-file");
    const child = spawn(
      "bash",
      ["-c", 'exec 99>>"$1"; shift; exec "$@"', "bash", target, process.execPath, "--import", "tsx", PROBE],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(0);
    const { output } = JSON.parse(stdout) as { output: string };
    expect(output).toMatch(/Bad file descriptor/);
    expect(output.split(/\s+/)).not.toContain("99");
    expect(readFileSync(target, "utf8")).toBe("");
  });
});
