import { CadreError } from "@cadre/protocol";
import { forgeAdapter } from "./adapters.ts";
import type { ForgeAdapter, ForgeClient, ForgeCredentials } from "./forge-client.ts";

/** A forge as Cadre stores it, secrets still encrypted (the store's record has these fields). */
export interface StoredForge {
  name: string;
  kind: string;
  apiUrl: string;
  webUrl: string;
  authKind: "token" | "app";
  appId: string | null;
  installationId: number | null;
  encryptedSecrets: Record<string, string>;
  pacing: boolean;
}

export interface ConnectedForge {
  adapter: ForgeAdapter;
  client: ForgeClient;
  webhookSecret: () => string;
}

function credentialsOf(forge: StoredForge, decrypt: (blob: string) => string): ForgeCredentials {
  const secret = (name: string): string => {
    const blob = forge.encryptedSecrets[name];
    if (!blob)
      throw new CadreError(
        "not_configured",
        `forge ${forge.name} has no ${name} stored: set it with 'cadre forge update ${forge.name}'`,
      );
    return decrypt(blob);
  };
  if (forge.authKind === "app")
    return {
      kind: "app",
      appId: forge.appId ?? "",
      privateKey: secret("privateKey"),
      installationId: forge.installationId ?? 0,
    };
  return { kind: "token", token: secret("token") };
}

/** Connects a stored forge with its decrypted credentials (the decryption key never leaves the caller). */
export function connectStoredForge(
  forge: StoredForge,
  decrypt: (blob: string) => string,
  log?: (line: string) => void,
): ConnectedForge {
  const adapter = forgeAdapter(forge.kind);
  const client = adapter.connect({
    name: forge.name,
    apiUrl: forge.apiUrl,
    webUrl: forge.webUrl,
    credentials: credentialsOf(forge, decrypt),
    pacing: forge.pacing,
    ...(log ? { log } : {}),
  });
  return { adapter, client, webhookSecret: () => decrypt(forge.encryptedSecrets.webhookSecret ?? "") };
}

/**
 * Keeps one connection per stored forge (an app's installation token is reused until it nears its
 * expiry); a forge whose settings or secrets changed gets a new connection.
 */
export class ForgeConnector {
  private readonly cache = new Map<string, { key: string; connected: ConnectedForge }>();

  constructor(
    private readonly decrypt: (blob: string) => string,
    private readonly log?: (line: string) => void,
  ) {}

  connect(forge: StoredForge & { id: string }): ConnectedForge {
    const key = JSON.stringify([
      forge.apiUrl,
      forge.webUrl,
      forge.authKind,
      forge.appId,
      forge.installationId,
      forge.encryptedSecrets,
      forge.pacing,
    ]);
    const hit = this.cache.get(forge.id);
    if (hit?.key === key) return hit.connected;
    const connected = connectStoredForge(forge, this.decrypt, this.log);
    this.cache.set(forge.id, { key, connected });
    return connected;
  }
}
