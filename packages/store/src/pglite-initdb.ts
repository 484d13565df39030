import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CadreError } from "@cadre/protocol";

/** Creates the database and exits; PGlite is imported from the URL the parent resolved. */
const INITDB_SOURCE = `
const { PGlite } = await import(process.env.CADRE_PGLITE_URL);
const db = await PGlite.create(process.env.CADRE_PGLITE_DIR);
await db.close();
`;

/**
 * A new data directory is created (initdb) in a child process of its own: PGlite's initdb leaves
 * about 500 MB of WASM heap behind in the process that ran it, which a server would then hold for
 * as long as it runs. An existing directory needs nothing.
 */
export async function initPgliteDataDir(dataDir: string): Promise<void> {
  if (existsSync(join(dataDir, "PG_VERSION"))) return;
  const child = spawn(process.execPath, ["--input-type=module", "-e", INITDB_SOURCE], {
    env: { ...process.env, CADRE_PGLITE_URL: import.meta.resolve("@electric-sql/pglite"), CADRE_PGLITE_DIR: dataDir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => {
    if (stderr.length < 4000) stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  if (code !== 0)
    throw new CadreError(
      "unavailable",
      `could not create the embedded database in ${dataDir} (exit ${String(code)}): ${stderr.trim().split("\n").pop() ?? ""}; check that the directory is writable and the disk has space, or remove it to start afresh`,
    );
}
