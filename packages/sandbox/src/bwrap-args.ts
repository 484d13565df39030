import { existsSync, lstatSync, readlinkSync } from "node:fs";
import { SandboxError } from "./types.ts";
import { imageRootBinds } from "./image-root.ts";
import { SANDBOX_WORKSPACE } from "./workspace-path.ts";

/** The sandbox's user: not root, so tools behave as they would for a developer. */
export const SANDBOX_UID = 1000;
export const SANDBOX_HOME = "/home/agent";
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * The parts of /etc a shell, git, TLS clients and DNS need. /etc as a whole is not bound: it
 * holds host secrets (ssh host keys, shadow, credentials of services).
 */
const ETC_ENTRIES = [
  "resolv.conf",
  "hosts",
  "host.conf",
  "nsswitch.conf",
  "gai.conf",
  "services",
  "protocols",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "pki",
  "alternatives",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "localtime",
  "timezone",
  "mime.types",
  "os-release",
  "debian_version",
  "bash.bashrc",
  "profile",
  "profile.d",
  "inputrc",
  "gitconfig",
  "npmrc",
  "environment",
  "locale.alias",
  "xattr.conf",
];

const ROOT_DIRS = ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

function systemBinds(): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const dir of ROOT_DIRS) {
    if (!existsSync(dir)) continue;
    const info = lstatSync(dir);
    if (info.isSymbolicLink()) args.push("--symlink", readlinkSync(dir), dir);
    else args.push("--ro-bind", dir, dir);
  }
  for (const entry of ETC_ENTRIES) args.push("--ro-bind-try", `/etc/${entry}`, `/etc/${entry}`);
  return args;
}

let cachedSystemBinds: string[] | null = null;

/**
 * Which network namespace the command gets. `own`: bubblewrap makes a new one (loopback only).
 * `inherit`: it stays in the one it was started in — a phase's own namespace, where Cadre's
 * forwarder listens; never the host's, except when a benchmark turns the hardening off.
 */
export type BwrapNetwork = "own" | "inherit";

export interface BwrapOptions {
  /** Host path (inside the entered mount namespace) of the merged workspace tree. */
  workspace: string;
  readOnly: boolean;
  network: BwrapNetwork;
  /** Descriptor holding the seccomp program bubblewrap loads before running the command; none: no filter. */
  seccompFd?: number;
  /** Workspace-relative working directory. */
  cwd: string;
  env: Record<string, string>;
  /**
   * Descriptors holding the sandbox user's passwd and group files. bubblewrap copies them into its
   * own tmpfs: a bind of a host file would name its host path in the sandbox's /proc/self/mountinfo.
   */
  identityFds: { passwd: number; group: number };
  /** Extra read-only binds: [host path, sandbox path]. */
  extraBinds?: [string, string][];
  tmpSizeBytes: number;
  /** An image's root (mounted after entry) as the whole system instead of the host's /usr and /etc entries. */
  systemRoot?: { merged: string; hostCaCertificates: boolean };
}

/**
 * The bubblewrap options for one command, without the command itself. They are handed over
 * through `--args FD`, so neither the host's `ps` nor the sandbox's /proc/1/cmdline (bubblewrap's
 * init) shows host paths or the variables' values.
 */
export function bwrapArgs(o: BwrapOptions): string[] {
  cachedSystemBinds ??= systemBinds();
  const args = [
    "--unshare-all",
    ...(o.network === "inherit" ? ["--share-net"] : []),
    // An explicit user namespace so it can be sealed: no nested one can regain mount or network powers.
    "--unshare-user",
    "--disable-userns",
    ...(o.seccompFd === undefined ? [] : ["--seccomp", String(o.seccompFd)]),
    "--die-with-parent",
    "--new-session",
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    "--hostname",
    "cadre",
    ...(o.systemRoot ? imageRootBinds(o.systemRoot) : cachedSystemBinds),
    "--ro-bind-data",
    String(o.identityFds.passwd),
    "/etc/passwd",
    "--ro-bind-data",
    String(o.identityFds.group),
    "/etc/group",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--size",
    String(o.tmpSizeBytes),
    "--tmpfs",
    "/tmp",
    "--size",
    String(o.tmpSizeBytes),
    "--tmpfs",
    SANDBOX_HOME,
    o.readOnly ? "--ro-bind" : "--bind",
    o.workspace,
    SANDBOX_WORKSPACE,
  ];
  for (const [from, to] of o.extraBinds ?? []) args.push("--ro-bind", from, to);
  // bubblewrap's root is a writable tmpfs (it makes /etc etc. there); nothing should land in it.
  args.push("--remount-ro", "/");
  args.push("--chdir", o.cwd === "" ? SANDBOX_WORKSPACE : `${SANDBOX_WORKSPACE}/${o.cwd}`, "--clearenv");
  for (const [k, v] of Object.entries(o.env)) args.push("--setenv", k, v);
  return args;
}

/** NUL-separated, as `bwrap --args FD` reads them. */
export function encodeArgs(args: string[]): Buffer {
  const bad = args.find((arg) => arg.includes("\0"));
  if (bad !== undefined)
    throw new SandboxError(
      "sandbox_error",
      `a sandbox argument holds a NUL byte (${JSON.stringify(bad.slice(0, 40))}); remove it`,
    );
  return Buffer.from(args.map((arg) => `${arg}\0`).join(""));
}

export const PASSWD_TEXT = `root:x:0:0:root:/root:/usr/sbin/nologin\nagent:x:${SANDBOX_UID}:${SANDBOX_UID}:agent:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`;
export const GROUP_TEXT = `root:x:0:\nagent:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`;
