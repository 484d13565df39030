import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createRedactor, decryptSecret, encryptSecret, loadOrCreateSecretKey, StreamRedactor } from "./index.ts";

describe("secrets", () => {
  const home = mkdtempSync(join(tmpdir(), "cadre-secret-key-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it("creates a private key file once and reuses it", async () => {
    const key = await loadOrCreateSecretKey(home, {});
    expect(key.length).toBe(32);
    expect(statSync(join(home, "secret.key")).mode & 0o777).toBe(0o600);
    expect((await loadOrCreateSecretKey(home, {})).equals(key)).toBe(true);
  });

  it("refuses a key file readable by others", async () => {
    chmodSync(join(home, "secret.key"), 0o644);
    await expect(loadOrCreateSecretKey(home, {})).rejects.toThrow(/chmod 600/);
    chmodSync(join(home, "secret.key"), 0o600);
  });

  it("takes the key from CADRE_SECRET_KEY (hex or base64)", async () => {
    const hex = "ab".repeat(32);
    expect((await loadOrCreateSecretKey(home, { CADRE_SECRET_KEY: hex })).toString("hex")).toBe(hex);
    await expect(loadOrCreateSecretKey(home, { CADRE_SECRET_KEY: "short" })).rejects.toThrow(/32 bytes/);
  });

  it("round-trips AES-256-GCM and detects tampering", async () => {
    const key = await loadOrCreateSecretKey(home, {});
    const blob = encryptSecret(key, "p@ss wörd");
    expect(blob).toMatch(/^v1:[^:]+:[^:]+:[^:]+$/);
    expect(encryptSecret(key, "p@ss wörd")).not.toBe(blob);
    expect(decryptSecret(key, blob)).toBe("p@ss wörd");
    const parts = blob.split(":");
    const tampered = [parts[0], parts[1], parts[2], Buffer.from("xxxx").toString("base64")].join(":");
    expect(() => decryptSecret(key, tampered)).toThrow(/tampered/);
  });

  it("redacts every occurrence, also across chunk boundaries", () => {
    expect(createRedactor(["hunter22"])("a hunter22 b hunter22")).toBe("a [secret] b [secret]");
    const r = new StreamRedactor(["hunter22", "other-secret"]);
    const out = ["x hun", "ter", "22 y oth", "er-sec", "ret z"].map((c) => r.push(c)).join("") + r.flush();
    expect(out).toBe("x [secret] y [secret] z");
  });
});
