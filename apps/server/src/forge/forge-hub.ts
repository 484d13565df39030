import { CadreError, type Forge, type Repo } from "@cadre/protocol";
import { ForgeError, type ConnectedForge } from "@cadre/forge";
import type { RemoteOptions } from "@cadre/git";
import { ForgeRemotes } from "./forge-remotes.ts";
import type { ForgeRecord, Store } from "@cadre/store";

/**
 * The server's forges: connections made from stored records (secrets decrypted with the server's
 * key, never returned), the public URL webhooks reach, and git credentials for forge repos.
 */
export class ForgeHub {
  private readonly remotes: ForgeRemotes;
  private publicUrl: string;

  constructor(
    private readonly store: Store,
    secretKey: Buffer,
    readonly log: (line: string) => void,
    configuredUrl: string | undefined,
  ) {
    this.remotes = new ForgeRemotes(store, secretKey, log);
    this.publicUrl = (configuredUrl ?? "").replace(/\/+$/, "");
  }

  /** Where this server is reached (CADRE_PUBLIC_URL, else the address it listens on). */
  get url(): string {
    return this.publicUrl;
  }

  /** Learns the listening address once the server is up (unless CADRE_PUBLIC_URL set it). */
  listeningAt(url: string): void {
    if (!this.publicUrl) this.publicUrl = url.replace(/\/+$/, "");
  }

  webhookUrl(name: string): string {
    return `${this.publicUrl}/api/v1/forges/${name}/webhook`;
  }

  taskUrl(taskId: string): string {
    return `${this.publicUrl}/tasks/${taskId}`;
  }

  async record(name: string): Promise<ForgeRecord> {
    const forge = await this.store.forges.find(name);
    if (!forge) throw new CadreError("not_found", `forge ${name} not found: list forges with 'cadre forge list'`);
    return forge;
  }

  connect(forge: ForgeRecord): ConnectedForge {
    return this.remotes.connector.connect(forge);
  }

  remoteOptions(repo: Pick<Repo, "origin" | "forge">): Promise<RemoteOptions> {
    return this.remotes.optionsFor(repo);
  }

  /**
   * Runs a forge call and records how it went on the forge's page: a refused credential or a
   * missing permission shows there with what to do; success clears it.
   */
  async track<T>(forge: ForgeRecord, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      if (forge.status.state !== "ok")
        await this.store.forges.setStatus(forge.id, { state: "ok", message: null, at: new Date().toISOString() });
      return result;
    } catch (error) {
      if (error instanceof ForgeError && (error.problem === "credentials" || error.problem === "permission"))
        await this.store.forges.setStatus(forge.id, {
          state: "error",
          message: error.message,
          at: new Date().toISOString(),
        });
      throw error;
    }
  }

  toWire(forge: ForgeRecord): Forge {
    return {
      id: forge.id,
      name: forge.name,
      kind: forge.kind as Forge["kind"],
      apiUrl: forge.apiUrl,
      webUrl: forge.webUrl,
      botName: forge.botName,
      auth:
        forge.authKind === "app"
          ? { kind: "app", appId: forge.appId ?? "", installationId: forge.installationId ?? 0 }
          : { kind: "token" },
      webhookUrl: this.webhookUrl(forge.name),
      pollSeconds: forge.pollSeconds,
      pacing: forge.pacing,
      serviceUser: forge.serviceUser,
      status: forge.status,
      createdAt: forge.createdAt,
    };
  }
}
