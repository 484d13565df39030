import type { Repo } from "@cadre/protocol";
import type { RemoteOptions } from "@cadre/git";
import { ForgeConnector, gitCredentialEnv } from "@cadre/forge";
import { decryptSecret } from "@cadre/secrets";
import type { Store } from "@cadre/store";

/**
 * How git reaches a repo's origin: plain for local paths and URLs Cadre has no credentials for;
 * with the forge's credentials in git's environment (never its config, a URL or an argv) for repos
 * on a connected forge.
 */
export class ForgeRemotes {
  readonly connector: ForgeConnector;

  constructor(
    private readonly store: Store,
    secretKey: Buffer,
    log?: (line: string) => void,
  ) {
    this.connector = new ForgeConnector((blob) => decryptSecret(secretKey, blob), log);
  }

  async optionsFor(repo: Pick<Repo, "origin" | "forge">): Promise<RemoteOptions> {
    if (!repo.forge) return {};
    const forge = await this.store.forges.find(repo.forge.name);
    // The forge's credentials go to the forge's own host only.
    if (!forge || !sameOrigin(repo.origin, forge.webUrl)) return {};
    const credentials = await this.connector.connect(forge).client.gitCredentials();
    return { env: gitCredentialEnv(repo.origin, credentials) };
  }
}

function sameOrigin(url: string, forgeUrl: string): boolean {
  try {
    return new URL(url).origin === new URL(forgeUrl).origin;
  } catch {
    return false;
  }
}
