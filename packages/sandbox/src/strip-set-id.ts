import { chmod, lstat, readdir } from "node:fs/promises";

const SET_ID_BITS = 0o6000;

/**
 * Clears setuid and setgid bits on every regular file under `dir`, so a layer left on the host
 * disk holds no file that runs as its (host) owner: the sandbox user maps to the runner's user,
 * root when Cadre runs as root. Links are never followed, and names are bytes (any name works).
 * Returns how many files it changed.
 */
export async function stripSetIdBits(dir: string): Promise<number> {
  let stripped = 0;
  const walk = async (current: Buffer): Promise<void> => {
    const entries = await readdir(current, { withFileTypes: true, encoding: "buffer" }).catch(() => []);
    for (const entry of entries) {
      const path = Buffer.concat([current, Buffer.from("/"), entry.name]);
      if (entry.isDirectory()) await walk(path);
      if (!entry.isFile()) continue;
      const info = await lstat(path).catch(() => null);
      if (!info?.isFile() || (info.mode & SET_ID_BITS) === 0) continue;
      await chmod(path, info.mode & 0o1777);
      stripped += 1;
    }
  };
  await walk(Buffer.from(dir));
  return stripped;
}
