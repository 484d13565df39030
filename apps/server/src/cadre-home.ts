import { chmod, mkdir, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { CadreError } from "@cadre/protocol";
import { join, resolve } from "node:path";

/** `$CADRE_HOME`, default `~/.cadre`: database, token, secret key, mirrors, sandboxes, config. */
export function cadreHome(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.CADRE_HOME ?? join(homedir(), ".cadre"));
}

export const homePaths = (home: string) => ({
  token: join(home, "token"),
  serverInfo: join(home, "server.json"),
  mirrors: join(home, "mirrors"),
  sandboxes: join(home, "sandboxes"),
  config: join(home, "config.json"),
  secretKey: join(home, "secret.key"),
});

export function mirrorPath(home: string, repoId: string): string {
  return join(homePaths(home).mirrors, `${repoId}.git`);
}

/**
 * Creates the Cadre home if needed and makes it private (mode 0700) at every start, not only
 * when creating it: it holds the token, the secret key, the database and the sandbox layers,
 * whose files the sandbox made and which no other local user may reach.
 */
export async function secureCadreHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const info = await stat(home);
  if ((info.mode & 0o077) === 0) return;
  try {
    await chmod(home, 0o700);
  } catch (error) {
    throw new CadreError(
      "not_configured",
      `${home} is open to other users (mode ${(info.mode & 0o777).toString(8)}) and could not be made private: ${(error as Error).message}. Run: chmod 700 ${home}`,
    );
  }
}
