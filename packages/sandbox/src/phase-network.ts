import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkPolicy } from "@cadre/protocol";
import { EgressProxy, type ResolveHost } from "./egress-proxy.ts";
import { ProxyForwarder } from "./proxy-forwarder.ts";

export interface PhaseNetworkOptions {
  /** The namespace holder whose network namespace the phase's commands share. */
  holderPid: number;
  policy: NetworkPolicy;
  resolveHost?: ResolveHost;
  onBlocked?: (info: { host: string; method: string; reason: string }) => void;
}

/**
 * One phase's way out: the egress proxy on the host, on a socket in a directory only Cadre's
 * user may enter (0700; Unix socket paths are limited to 108 bytes, so it is a short temp dir),
 * and the forwarder in the phase's network namespace that relays to it.
 */
export class PhaseNetwork {
  private constructor(
    private readonly dir: string,
    private readonly proxy: EgressProxy,
    private readonly forwarder: ProxyForwarder,
  ) {}

  static async start(o: PhaseNetworkOptions): Promise<PhaseNetwork> {
    const dir = await mkdtemp(join(tmpdir(), "cadre-net-"));
    let proxy: EgressProxy | null = null;
    try {
      await chmod(dir, 0o700);
      const socketPath = join(dir, "proxy.sock");
      proxy = await EgressProxy.start({
        socketPath,
        policy: o.policy,
        resolveHost: o.resolveHost,
        onBlocked: o.onBlocked,
      });
      const forwarder = await ProxyForwarder.start({ holderPid: o.holderPid, socketPath, dir });
      return new PhaseNetwork(dir, proxy, forwarder);
    } catch (error) {
      await proxy?.close();
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.forwarder.stop();
    await this.proxy.close();
    await rm(this.dir, { recursive: true, force: true });
  }
}
