import type { NetworkPolicy } from "@cadre/protocol";

export type ProxyDecision = { allow: true } | { allow: false; reason: string };

const READ_ONLY_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** A DNS name or an IP literal as the proxy accepts it: nothing that could smuggle syntax. */
const HOST_NAME = /^[a-z0-9_.-]{1,253}$|^[0-9a-f:.]{2,45}$/;

function matchesPattern(pattern: string, host: string, port: number): boolean {
  const [namePart, portPart] = pattern.toLowerCase().split(":") as [string, string | undefined];
  if (portPart !== undefined && Number(portPart) !== port) return false;
  if (namePart.startsWith("*.")) {
    const suffix = namePart.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return host === namePart;
}

function normalizeHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^\[(.*)\]$/, "$1");
}

/**
 * The request-level decision: which host names the policy lets through, and (plain HTTP only)
 * which methods. `allowlist`: only hosts matching a pattern. `on`: any host name; whether it may
 * be reached is then decided by its address (public only, unless listed explicitly). `off`: none.
 */
export function decideRequest(
  policy: NetworkPolicy,
  req: { host: string; port: number; method: string },
): ProxyDecision {
  const host = normalizeHost(req.host);
  if (!HOST_NAME.test(host)) return { allow: false, reason: `${JSON.stringify(req.host)} is not a host name` };
  if (policy.mode === "off") return { allow: false, reason: "the environment's network policy is off" };
  if (policy.mode === "allowlist" && !policy.allow.some((p) => matchesPattern(p, host, req.port))) {
    return { allow: false, reason: `${host} is not in the environment's network allowlist` };
  }
  // A CONNECT tunnel carries TLS whose methods the proxy cannot see, so readOnlyMethods can only
  // be enforced on plain HTTP; tunnels to allowed hosts pass.
  if (policy.readOnlyMethods && req.method !== "CONNECT" && !READ_ONLY_METHODS.has(req.method.toUpperCase())) {
    return {
      allow: false,
      reason: `method ${req.method} is not allowed: the environment only permits GET, HEAD and OPTIONS`,
    };
  }
  return { allow: true };
}

/** Whether a host was named literally (not by a wildcard), which lets it resolve to private addresses. */
export function explicitlyListed(policy: NetworkPolicy, host: string, port: number): boolean {
  const h = normalizeHost(host);
  return policy.allow.some((p) => !p.startsWith("*.") && matchesPattern(p, h, port));
}

/**
 * What setup and maintenance may reach whatever the agent's policy: they install dependencies,
 * so the public internet, plus the hosts the environment lists (an internal registry, say). Never
 * the host's own services or private addresses it does not list.
 */
export function setupNetworkPolicy(policy: NetworkPolicy): NetworkPolicy {
  return { mode: "on", allow: policy.allow, readOnlyMethods: false };
}
