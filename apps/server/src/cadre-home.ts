import { homedir } from "node:os";
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
