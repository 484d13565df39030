import type { HostTargets } from "./network-targets.ts";

/** host:port as an HTTP CONNECT authority (IPv6 in brackets). */
function authority(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Shell text run inside the sandbox (setup script or agent command). For every target it tries a
 * direct TCP connection and a CONNECT through the proxy the environment announces, then the
 * abstract socket (python3) and the allowed host (curl with the proxy variables). Each answer is
 * one line `PROBE <target> <method> <result>`. With `bashOnly` (an image root holding no python3
 * or curl) the allowed host is fetched with bash's /dev/tcp through the proxy (or directly when
 * there is none) and the abstract socket is not probed.
 */
export function probeScript(world: HostTargets, options: { bashOnly?: boolean } = {}): string {
  const lines = [
    `direct() { if timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$2" "$3" 2>/dev/null; then echo "PROBE $1 direct open"; else echo "PROBE $1 direct closed"; fi; }`,
    `viaproxy() { if [ -z "$HTTPS_PROXY" ]; then echo "PROBE $1 proxy none"; return; fi; hp=\${HTTPS_PROXY#http://}; hp=\${hp%/}; line=$(timeout 5 bash -c 'exec 3<>"/dev/tcp/\${0%:*}/\${0##*:}" || exit 1; printf "CONNECT %s HTTP/1.1\\r\\nHost: %s\\r\\n\\r\\n" "$1" "$1" >&3; head -n1 <&3' "$hp" "$2" 2>/dev/null | tr -d '\\r'); set -- "$1" $line; echo "PROBE $1 proxy \${3:-error}"; }`,
  ];
  for (const t of world.targets) {
    lines.push(`direct ${t.name} ${t.host} ${t.port}`);
    lines.push(`viaproxy ${t.name} '${authority(t.host, t.port)}'`);
  }
  // Node binds an abstract name padded with NULs to the full 108-byte sun_path; connect to the same.
  if (!options.bashOnly)
    lines.push(
      `python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.settimeout(3); s.connect(b"\\0"+sys.argv[1].encode().ljust(107,b"\\0"))' ${world.abstractName} 2>/dev/null && echo "PROBE abstract direct open" || echo "PROBE abstract direct closed"`,
    );
  if (world.allowed) {
    const url = `http://${world.allowed.host}:${world.allowed.port}/allowed`;
    const fetch = options.bashOnly
      ? `timeout 5 bash -c 'if [ -n "$HTTP_PROXY" ]; then hp=\${HTTP_PROXY#http://}; hp=\${hp%/}; else hp=$1; fi; exec 3<>"/dev/tcp/\${hp%:*}/\${hp##*:}" || exit 1; printf "GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n" "$0" "$1" >&3; cat <&3' ${url} '${authority(world.allowed.host, world.allowed.port)}' 2>/dev/null`
      : `curl -sS --max-time 5 ${url}`;
    lines.push(
      `if ${fetch} | grep -q ${world.allowed.body}; then echo "PROBE allowed fetch ok"; else echo "PROBE allowed fetch failed"; fi`,
    );
  }
  lines.push(`env | grep -i '_proxy=' | sed 's/=.*//' | sort | tr '\\n' ' ' | sed 's/^/PROXY-VARS /'; echo`);
  // Which system the probe ran on (an image names itself in VARIANT_ID; the host has none).
  lines.push(`echo "PROBE-ROOT $(. /etc/os-release; echo "\${VARIANT_ID:-host}")"`);
  lines.push("echo PROBES-DONE");
  return lines.join("\n");
}

/** `target method` → result, from the probe lines in some output. */
export function parseProbes(output: string): Map<string, string> {
  const results = new Map<string, string>();
  for (const match of output.matchAll(/^PROBE (\S+) (\S+) (\S+)$/gm))
    results.set(`${match[1] as string} ${match[2] as string}`, match[3] as string);
  return results;
}

/** The proxy variable names a probe run saw. */
export function proxyVariables(output: string): string[] {
  return (/^PROXY-VARS (.*)$/m.exec(output)?.[1] ?? "").trim().split(/\s+/).filter(Boolean);
}
