import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** Bytes held by files under `dir` (allocated blocks, so sparse files count what they use). */
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      const st = await lstat(p).catch(() => null);
      if (st) total += st.blocks * 512;
    }
  };
  await walk(dir);
  return total;
}
