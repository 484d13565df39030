import type { ForgeAdapter, ForgeClient } from "@cadre/forge";
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
