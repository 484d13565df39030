import { existsSync, lstatSync, readlinkSync } from "node:fs";
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

export interface BwrapOptions {
  /** Host path (inside the entered mount namespace) of the merged workspace tree. */
  workspace: string;
  readOnly: boolean;
  network: boolean;
  /** Workspace-relative working directory. */
  cwd: string;
  env: Record<string, string>;
  /** Directory holding passwd/group files for the sandbox user. */
  identityDir: string;
  /** Extra read-only binds: [host path, sandbox path]. */
  extraBinds?: [string, string][];
  tmpSizeBytes: number;
  command: string[];
}

/** Builds the bubblewrap argument vector for one command. */
export function bwrapArgs(o: BwrapOptions): string[] {
  cachedSystemBinds ??= systemBinds();
  const args = [
    "--unshare-all",
    ...(o.network ? ["--share-net"] : []),
    "--die-with-parent",
    "--new-session",
    "--uid",
    String(SANDBOX_UID),
    "--gid",
    String(SANDBOX_UID),
    "--hostname",
    "cadre",
    ...cachedSystemBinds,
    "--ro-bind",
    `${o.identityDir}/passwd`,
    "/etc/passwd",
    "--ro-bind",
    `${o.identityDir}/group`,
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
  args.push("--", ...o.command);
  return args;
}

export const PASSWD_TEXT = `root:x:0:0:root:/root:/usr/sbin/nologin\nagent:x:${SANDBOX_UID}:${SANDBOX_UID}:agent:${SANDBOX_HOME}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`;
export const GROUP_TEXT = `root:x:0:\nagent:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`;
