export * from "./types.ts";
export { SandboxManager, type SandboxManagerOptions, type GcResult } from "./sandbox-manager.ts";
export { checkPrerequisites, type PrerequisiteReport } from "./prerequisites.ts";
export { decideRequest, explicitlyListed, setupNetworkPolicy, type ProxyDecision } from "./network-policy.ts";
export { isPrivateAddress } from "./address-class.ts";
export { EgressProxy, type EgressProxyOptions, type ResolveHost } from "./egress-proxy.ts";
