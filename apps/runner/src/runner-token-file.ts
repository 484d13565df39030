import { readFile, stat } from "node:fs/promises";
import { CadreError } from "@cadre/protocol";

/**
 * The runner token from its file. A file readable by group or others is refused: anyone on the
 * machine could register as this runner and be given attempts with their secrets.
 */
export async function readRunnerToken(path: string): Promise<string> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new CadreError(
      "not_configured",
      `cannot read the runner token file ${path} (${error.code ?? error.message}): an admin makes a token with 'cadre runner token create <name>'; store it in that file with mode 600`,
    );
  });
  if ((info.mode & 0o077) !== 0)
    throw new CadreError(
      "forbidden",
      `${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}): run chmod 600 ${path}`,
    );
  const token = (await readFile(path, "utf8")).trim();
  if (!/^\S{16,200}$/.test(token))
    throw new CadreError("not_configured", `${path} does not hold a runner token (one line, cadre_runner_…)`);
  return token;
}
