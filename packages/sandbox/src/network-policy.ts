import { isIP } from "node:net";
import type { NetworkPolicy } from "@cadre/protocol";

export type ProxyDecision = { allow: true } | { allow: false; reason: string };

const READ_ONLY_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function matchesPattern(pattern: string, host: string, port: number): boolean {
  const [namePart, portPart] = pattern.toLowerCase().split(":") as [string, string | undefined];
  if (portPart !== undefined && Number(portPart) !== port) return false;
  if (namePart.startsWith("*.")) {
    const suffix = namePart.slice(1);
    return host.endsWith(suffix) && host.length > suffix.length;
  }
  return host === namePart;
}

/** The request-level decision: host pattern and (plain HTTP only) method. */
export function decideRequest(
  policy: NetworkPolicy,
  req: { host: string; port: number; method: string },
): ProxyDecision {
  const host = req.host
    .toLowerCase()
    .replace(/\.$/, "")
    .replace(/^\[(.*)\]$/, "$1");
  if (!policy.allow.some((p) => matchesPattern(p, host, req.port))) {
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
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return policy.allow.some((p) => !p.startsWith("*.") && matchesPattern(p, h, port));
}

/** Loopback, private, link-local, CGNAT, multicast and unspecified addresses (IPv4 and IPv6). */
export function isPrivateAddress(address: string): boolean {
  const kind = isIP(address);
  if (kind === 4) {
    const [a = 0, b = 0] = address.split(".").map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      a >= 224
    );
  }
  if (kind === 6) {
    const lower = address.toLowerCase();
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
    if (mapped?.[1]) return isPrivateAddress(mapped[1]);
    return (
      lower === "::" || lower === "::1" || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || lower.startsWith("ff")
    );
  }
  return true;
}
