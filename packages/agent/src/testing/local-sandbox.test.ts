import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { LocalSandbox } from "./local-sandbox.ts";

let sandbox: LocalSandbox | null = null;
afterEach(async () => {
  await sandbox?.dispose();
  sandbox = null;
});

describe("LocalSandbox", () => {
  it("reads, writes, stats and deletes files inside its root", async () => {
    sandbox = await LocalSandbox.create({ "a.txt": "a" });
    await sandbox.writeFile("d/b.sh", "x", { executable: true });
    expect((await sandbox.readFile("a.txt"))?.toString()).toBe("a");
    expect(await sandbox.stat("d/b.sh")).toEqual({ type: "file", size: 1, executable: true });
    expect((await sandbox.stat("d"))?.type).toBe("dir");
    await sandbox.deleteFile("a.txt");
    expect(await sandbox.readFile("a.txt")).toBeNull();
    expect(await sandbox.stat("a.txt")).toBeNull();
  });

  it("refuses paths leaving the root, also through symlinks", async () => {
    sandbox = await LocalSandbox.create({});
    await expect(sandbox.readFile("../x")).rejects.toThrow(/leaves the workspace/);
    await symlink("/etc", join(sandbox.root, "etc"));
    await expect(sandbox.readFile("etc/hostname")).rejects.toThrow(/leaves the workspace/);
  });

  it("refuses writes when read-only", async () => {
    sandbox = await LocalSandbox.create({}, { readOnly: true });
    await expect(sandbox.writeFile("a", "x")).rejects.toThrow(/read-only/);
  });

  it("runs commands with exit code, interleaved output and timeout", async () => {
    sandbox = await LocalSandbox.create({});
    const chunks: string[] = [];
    const r = await sandbox.exec("echo a; echo b >&2; exit 4", { onOutput: (_s, c) => chunks.push(c) });
    expect(r).toMatchObject({ exitCode: 4, timedOut: false, cancelled: false, truncated: false });
    expect(r.output).toContain("a");
    expect(chunks.join("")).toContain("b");
    const t = await sandbox.exec("sleep 5", { timeoutMs: 100 });
    expect(t).toMatchObject({ exitCode: null, timedOut: true });
  });
});
