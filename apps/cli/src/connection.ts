import { readFile } from "node:fs/promises";
import { CadreClient, checkServerUrl } from "@cadre/client";
import { cadreHome, homePaths } from "@cadre/server/home";

export interface ConnectionFlags {
  url?: string;
  token?: string;
}

/** Server URL and token: flags, then CADRE_URL / CADRE_TOKEN, then the local $CADRE_HOME. */
export async function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<CadreClient> {
  const paths = homePaths(cadreHome(env));
  let url = flags.url
    ? checkServerUrl(flags.url, "--url")
    : env.CADRE_URL
      ? checkServerUrl(env.CADRE_URL, "CADRE_URL")
      : undefined;
  if (!url) {
    const info = await readFile(paths.serverInfo, "utf8")
      .then((t) => JSON.parse(t) as { url?: string })
      .catch(() => null);
    url = info?.url ?? "http://127.0.0.1:7700";
  }
  const token =
    flags.token ??
    env.CADRE_TOKEN ??
    (await readFile(paths.token, "utf8")
      .then((t) => t.trim())
      .catch(() => undefined));
  return new CadreClient({ baseUrl: url, token });
}
