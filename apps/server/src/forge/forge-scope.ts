import { ForgeError, type ForgeAdapter, type ForgeClient } from "@cadre/forge";
import type { ForgeRecord } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";

/** One forge while its events are handled: the record, its connection and who Cadre is there. */
export interface ForgeScope {
  ctx: ServerContext;
  forge: ForgeRecord;
  adapter: ForgeAdapter;
  client: ForgeClient;
  /** Cadre's own login on the forge (its comments and pushes never start work). */
  botLogin: () => Promise<string>;
  /** When the delivery being handled was received (ms since the epoch): what its tasks must see. */
  receivedAt?: number;
}

const logins = new Map<string, Promise<string>>();

export function forgeScope(ctx: ServerContext, forge: ForgeRecord): ForgeScope {
  const { adapter, client } = ctx.forges.connect(forge);
  const key = `${forge.id}:${JSON.stringify(forge.encryptedSecrets)}`;
  return {
    ctx,
    forge,
    adapter,
    client,
    botLogin: () => {
      let login = logins.get(key);
      if (!login) {
        login = ctx.forges.track(forge, () => client.whoami()).then((user) => user.login);
        login.catch(() => logins.delete(key));
        logins.set(key, login);
      }
      return login;
    },
  };
}

/** Calls the forge, recording a refused credential or permission on the forge's page. */
export function tracked<T>(scope: ForgeScope, run: (client: ForgeClient) => Promise<T>): Promise<T> {
  return scope.ctx.forges.track(scope.forge, () => run(scope.client));
}

/**
 * Runs work that talks to the forge over git as well as its API. When it fails outside the API,
 * the API is asked whether Cadre's credentials still work: a revoked token or a lost permission is
 * then reported as such (and shown on the forge's page), not as git's "authentication failed".
 */
export async function explained<T>(scope: ForgeScope, repoPath: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ForgeError) throw error;
    const refusal = await tracked(scope, (client) => client.repository(repoPath)).then(
      () => null,
      (apiError: unknown) => apiError,
    );
    if (refusal instanceof ForgeError && (refusal.problem === "credentials" || refusal.problem === "permission"))
      throw refusal;
    throw error;
  }
}
