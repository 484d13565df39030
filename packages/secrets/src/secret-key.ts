import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { CadreError } from "@cadre/protocol";

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
    throw new CadreError(
      "forbidden",
      `${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); it protects every stored secret. ` +
        `Run: chmod 600 ${path}`,
    );
  }
  return parseKey((await readFile(path, "utf8")).trim(), path);
}

function parseKey(text: string, source: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  if (key.length !== KEY_BYTES) {
    throw new CadreError(
      "not_configured",
      `${source} must hold ${KEY_BYTES} bytes as base64 or hex (got ${key.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return key;
}
