import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadOrCreateToken, tokensEqual } from "./auth-token.ts";

describe("the server's token file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "cadre-token-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("is made with mode 600 and read back unchanged", async () => {
    const path = join(dir, "token");
    const made = await loadOrCreateToken(path);
    expect(made.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateToken(path)).toEqual({ token: made.token, created: false });
  });

  it("is refused when other users can read it", async () => {
    const path = join(dir, "token");
    await loadOrCreateToken(path);
    for (const mode of [0o640, 0o604, 0o666]) {
      chmodSync(path, mode);
      await expect(loadOrCreateToken(path)).rejects.toThrow(/chmod 600/);
    }
  });

  it("compares tokens of any length without throwing", () => {
    expect(tokensEqual("cadre_abc", "cadre_abc")).toBe(true);
    expect(tokensEqual("cadre_abc", "cadre_abd")).toBe(false);
    expect(tokensEqual("short", "a much longer token")).toBe(false);
  });
});
