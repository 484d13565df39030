import type { NetworkPolicy } from "@cadre/protocol";
import type { ResolveHost } from "./egress-proxy.ts";
import type { BwrapNetwork } from "./bwrap-args.ts";
import { enterPrefix } from "./overlay.ts";

/** What every sandboxed command of a manager shares: the seccomp program and how networks are made. */
export interface SandboxRuntime {
  /** The compiled seccomp filter; null only when a benchmark turns the hardening off. */
  seccomp: Buffer | null;
  /**
   * Each phase in a network namespace of its own, reaching out only through the egress proxy.
   * False (benchmarks of the old path only) lets setup and policy `on` share the host's network.
   */
  privateNetwork: boolean;
  /** Name resolution for the egress proxy (tests map names to local servers). */
  resolveHost?: ResolveHost;
}

/** How a command of a phase reaches the network: which namespaces it enters and whether a proxy serves it. */
export interface PhaseNetworkPlan {
  entry: string[];
  network: BwrapNetwork;
  proxy: boolean;
}

/**
 * `off`: bubblewrap's own empty namespace. Any network: the holder's namespace, where the proxy's
 * forwarder listens — or, with the hardening off, the host's (no proxy for `on`).
 */
export function planPhaseNetwork(runtime: SandboxRuntime, holderPid: number, policy: NetworkPolicy): PhaseNetworkPlan {
  if (policy.mode === "off") return { entry: enterPrefix(holderPid), network: "own", proxy: false };
  if (!runtime.privateNetwork && policy.mode === "on")
    return { entry: enterPrefix(holderPid), network: "inherit", proxy: false };
  return { entry: enterPrefix(holderPid, true), network: "inherit", proxy: true };
}
