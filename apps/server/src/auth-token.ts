import { randomBytes, timingSafeEqual } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { CadreError } from "@cadre/protocol";

/**
 * The server's bearer token: made on first start, stored with mode 0600 (`cadre serve` shows it once, on a terminal only).
 * A token file readable by group or others is refused (anyone on the machine could use it).
 */
export async function loadOrCreateToken(path: string): Promise<{ token: string; created: boolean }> {
  try {
    const st = await stat(path);
    if ((st.mode & 0o077) !== 0) {
      throw new CadreError(
        "forbidden",
        `${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}): run chmod 600 ${path}`,
      );
    }
    const token = (await readFile(path, "utf8")).trim();
    if (token.length >= 16) return { token, created: false };
  } catch (e) {
    if (e instanceof CadreError) throw e;
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const token = `cadre_${randomBytes(24).toString("base64url")}`;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, token + "\n", { mode: 0o600 });
  return { token, created: true };
}

export function tokensEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
