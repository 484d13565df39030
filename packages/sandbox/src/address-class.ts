import { networkInterfaces } from "node:os";
import ipaddr from "ipaddr.js";

/** The special-purpose range an address lies in (ipaddr.js names them all), or null when it is public. */
function specialRange(address: string): string | null {
  try {
    // process() reads ::ffff:a.b.c.d as the IPv4 host a.b.c.d.
    const range = ipaddr.process(address).range();
    return range === "unicast" ? null : range;
  } catch {
    return "unparsable";
  }
}

/** Every address of this host's interfaces: its own services listen there, whatever the range. */
function hostAddresses(): Set<string> {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const info of list ?? []) own.add(ipaddr.process(info.address.replace(/%.*$/, "")).toString());
  return own;
}

/**
 * Loopback, private (RFC 1918, ULA fc00::/7), CGNAT 100.64/10, link-local (and so the cloud
 * metadata addresses 169.254.169.254 and fd00:ec2::254), multicast, broadcast, unspecified,
 * documentation, benchmarking and other special ranges, translated IPv6 forms, and any address
 * of this host's own interfaces. Everything else is a public address.
 */
export function isPrivateAddress(address: string): boolean {
  if (specialRange(address) !== null) return true;
  return hostAddresses().has(ipaddr.process(address).toString());
}
