import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";

const KEY_FILE = "secret.key";
const KEY_BYTES = 32;

/**
 * The key that encrypts environment secrets at rest. Taken from `CADRE_SECRET_KEY` (base64 or hex of
 * 32 bytes) when set, else from `$CADRE_HOME/secret.key`, created with mode 0600 on first use.
 */
export async function loadOrCreateSecretKey(home: string, env: NodeJS.ProcessEnv = process.env): Promise<Buffer> {
  const fromEnv = env.CADRE_SECRET_KEY;
  if (fromEnv !== undefined && fromEnv !== "") return parseKey(fromEnv, "CADRE_SECRET_KEY");
  const path = join(home, KEY_FILE);
  await mkdir(home, { recursive: true, mode: 0o700 });
  try {
    // "wx" so two processes starting together never overwrite each other's key.
    const handle = await open(path, "wx", 0o600);
    try {
      const key = randomBytes(KEY_BYTES);
      await handle.writeFile(key.toString("base64") + "\n");
      return key;
    } finally {
      await handle.close();
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
  const info = await stat(path);
  if ((info.mode & 0o077) !== 0) {
    throw new Error(
      `${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); it protects every stored secret. ` +
        `Run: chmod 600 ${path}`,
    );
  }
  return parseKey((await readFile(path, "utf8")).trim(), path);
}

function parseKey(text: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== KEY_BYTES) {
    throw new Error(
      `${source} must hold ${KEY_BYTES} bytes as base64 or hex (got ${key.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}

/** AES-256-GCM with a random IV; format `v1:<b64 iv>:<b64 tag>:<b64 ciphertext>`. */
export function encryptSecret(key: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `v1:${iv.toString("base64")}:${cipher.getAuthTag().toString("base64")}:${ct.toString("base64")}`;
}

export function decryptSecret(key: Buffer, blob: string): string {
  const parts = blob.split(":");
  if (parts.length !== 4 || parts[0] !== "v1") throw new Error("unknown secret format (expected v1:iv:tag:ciphertext)");
  const [, iv, tag, ct] = parts as [string, string, string, string];
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, "base64")), decipher.final()]).toString("utf8");
  } catch {
    throw new Error(
      "could not decrypt a secret: the secret key changed or the value was tampered with; set the secret again",
    );
  }
}

const REPLACEMENT = "[secret]";

function usableSecrets(values: string[]): string[] {
  // Longest first so a secret containing another is replaced whole; very short values would
  // redact ordinary text everywhere, so they are skipped.
  return [...new Set(values.filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of any secret value with `[secret]`. */
export function createRedactor(secretValues: string[]): (text: string) => string {
  const secrets = usableSecrets(secretValues);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join(REPLACEMENT);
    return out;
  };
}

/**
 * Redacts a stream chunk by chunk. A secret may be split across two chunks, so the last
 * (longest secret - 1) characters are held back until more text arrives or the stream ends.
 */
export class StreamRedactor {
  private readonly redact: (text: string) => string;
  private readonly hold: number;
  private pending = "";

  constructor(secretValues: string[]) {
    const secrets = usableSecrets(secretValues);
    this.redact = createRedactor(secrets);
    this.hold = secrets.length === 0 ? 0 : Math.max(...secrets.map((s) => s.length)) - 1;
  }

  /** Returns the text that is safe to emit now. */
  push(chunk: string): string {
    if (this.hold === 0) return chunk;
    const redacted = this.redact(this.pending + chunk);
    // A secret could start inside the held tail; keep it unless a replacement ended there.
    let cut = Math.max(0, redacted.length - this.hold);
    const lastReplacement = redacted.lastIndexOf(REPLACEMENT);
    if (lastReplacement >= 0 && lastReplacement + REPLACEMENT.length > cut) cut = lastReplacement + REPLACEMENT.length;
    this.pending = redacted.slice(cut);
    return redacted.slice(0, cut);
  }

  /** Returns what is left at the end of the stream. */
  flush(): string {
    const rest = this.redact(this.pending);
    this.pending = "";
    return rest;
  }
}
