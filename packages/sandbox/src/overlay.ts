import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Socket } from "node:net";
import { CommandHelper, HELPER_SLOTS } from "./command-helper.ts";
import { COMMAND_HELPER_SCRIPT } from "./command-helper-script.ts";
import { SandboxError } from "./types.ts";

export interface OverlayLayers {
  /** Top-most first. */
  lowers: string[];
  upper: string;
  work: string;
  merged: string;
}

/** overlayfs splits its options on ',' and lowerdir on ':', so layer paths may hold neither. */
export function assertLayerPath(path: string): void {
  if (/[,:\s\\]/.test(path)) {
    throw new SandboxError(
      "sandbox_error",
      `sandbox path ${path} contains ',', ':', '\\' or whitespace, which overlayfs cannot take; use a CADRE_HOME without them`,
    );
  }
}

/** The deepest directory holding every one of `paths` (all absolute). */
function commonParent(paths: string[]): string {
  const split = paths.map((path) => path.split("/"));
  const first = split[0] ?? [""];
  let length = 0;
  while (length < first.length - 1 && split.every((parts) => parts[length] === first[length])) length += 1;
  return first.slice(0, length).join("/") || "/";
}

/**
 * overlayfs options with the layers named relative to `base`, the directory the mount runs in. The
 * kernel shows the options as given in every /proc/<pid>/mountinfo, the sandbox's too: relative
 * names keep the Cadre home's host location out of it (and the options shorter).
 */
export function overlayMount(layers: { lowers: string[]; upper: string; work: string }): {
  base: string;
  options: string;
} {
  const all = [...layers.lowers, layers.upper, layers.work];
  for (const path of all) assertLayerPath(path);
  const base = commonParent(all);
  const name = (path: string): string => relative(base, path) || ".";
  // userxattr: unprivileged overlay mounts keep whiteout/opaque markers in user.* xattrs.
  // nosuid,nodev: a setuid file or device node the sandbox makes in the upper layer has no power.
  const options = `lowerdir=${layers.lowers.map(name).join(":")},upperdir=${name(layers.upper)},workdir=${name(layers.work)},userxattr,nosuid,nodev`;
  return { base, options };
}

const MOUNT_THEN_EXEC =
  'cd "$1" && mount -t overlay overlay -o "$2" "$3" || exit 121; cd / || exit 121; shift 3; exec "$@"';

/**
 * Argument prefix that creates a user + mount namespace, mounts the overlay at `merged` and
 * runs the rest of the argv there. The mount vanishes with the namespace.
 */
export function mountAndRunPrefix(l: OverlayLayers, unshareFlags: string[] = []): string[] {
  assertLayerPath(l.merged);
  const { base, options } = overlayMount(l);
  return [
    "unshare",
    "-Urm",
    ...unshareFlags,
    "--propagation",
    "private",
    "--",
    "sh",
    "-c",
    MOUNT_THEN_EXEC,
    "sh",
    base,
    options,
    l.merged,
  ];
}

/**
 * Argument prefix that enters the namespaces of a holder process: its user and mount namespaces,
 * and with `network` its network namespace too (where the phase's proxy forwarder listens).
 */
export function enterPrefix(holderPid: number, network = false): string[] {
  return ["nsenter", "-t", String(holderPid), "-U", "-m", ...(network ? ["-n"] : []), "--preserve-credentials", "--"];
}

/** Argument prefix that enters only a holder's user and network namespaces (host filesystem view). */
export function enterNetworkPrefix(holderPid: number): string[] {
  return ["nsenter", "-t", String(holderPid), "-U", "-n", "--preserve-credentials", "--"];
}

const HOLD = "echo ready; exec cat >/dev/null";

/** A holder that also runs the workspace's commands (command-helper.ts), with its FIFOs in `dir`. */
export interface HolderCommands {
  dir: string;
}

/**
 * A process that owns a workspace's namespaces: user + mount (the overlay is mounted there, when
 * there are layers) and network (a namespace of its own, never the host's, that the phase's
 * commands may share). Commands enter it with nsenter; the host reaches the merged tree via
 * /proc/<pid>/root. It waits on its stdin, so it exits on its own when this Node process dies.
 */
export class NamespaceHolder {
  private constructor(
    readonly pid: number,
    private readonly kill: () => Promise<void>,
    /** Runs commands from inside the holder's namespaces; null for a holder started without. */
    readonly commands: CommandHelper | null,
  ) {}

  /**
   * With `layers` null (plain directory workspaces) nothing is mounted: only the namespaces are held.
   * With `commands`, the holder is the workspace's command loop instead of an idle `cat`.
   */
  static start(layers: OverlayLayers | null, commands?: HolderCommands): Promise<NamespaceHolder> {
    const hold = commands
      ? ["bash", "-c", COMMAND_HELPER_SCRIPT, "cadre-helper", commands.dir, String(HELPER_SLOTS)]
      : ["sh", "-c", HOLD];
    const argv = layers
      ? [...mountAndRunPrefix(layers, ["-n"]), ...hold]
      : ["unshare", "-Urmn", "--propagation", "private", "--", ...hold];
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0] as string, argv.slice(1), {
        stdio: ["pipe", "pipe", "pipe"],
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      });
      let stderr = "";
      let ready = false;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      child.stdout.on("data", (b: Buffer) => {
        if (ready || !b.toString().includes("ready")) return;
        ready = true;
        for (const s of [child.stdin, child.stdout, child.stderr]) if (s instanceof Socket) s.unref();
        child.unref();
        const helper = commands ? new CommandHelper(commands.dir, child.stdin, child.stdout) : null;
        if (helper) void exited.then(() => helper.close());
        resolve(
          new NamespaceHolder(
            child.pid as number,
            async () => {
              // Referenced again so the wait for its exit keeps this process alive.
              child.ref();
              child.kill("SIGKILL");
              await exited;
            },
            helper,
          ),
        );
      });
      child.on("error", (e) =>
        reject(new SandboxError("sandbox_error", `could not start the workspace namespace: ${e.message}`)),
      );
      child.on("exit", (code) => {
        if (!ready)
          reject(
            new SandboxError("sandbox_error", `could not mount the workspace overlay (exit ${code}): ${stderr.trim()}`),
          );
      });
    });
  }

  /** Host path at which the holder's view of `path` is reachable. */
  view(path: string): string {
    return `/proc/${this.pid}/root${path}`;
  }

  stop(): Promise<void> {
    return this.kill();
  }
}

let overlayProbe: boolean | null = null;

/** Whether overlayfs can be mounted in an unprivileged user namespace here (checked once). */
export function overlaySupported(parent: string = tmpdir()): boolean {
  if (overlayProbe !== null) return overlayProbe;
  // Probed on the filesystem the layers will live on: support differs between filesystems.
  const dir = mkdtempSync(join(parent, "overlay-probe-"));
  try {
    for (const d of ["lower", "upper", "work", "merged"]) mkdirSync(join(dir, d));
    writeFileSync(join(dir, "lower", "f"), "x");
    const layers = {
      lowers: [join(dir, "lower")],
      upper: join(dir, "upper"),
      work: join(dir, "work"),
      merged: join(dir, "merged"),
    };
    const argv = [...mountAndRunPrefix(layers), "sh", "-c", `rm "$0/f" && echo y > "$0/g"`, layers.merged];
    const r = spawnSync(argv[0] as string, argv.slice(1), { stdio: "ignore", timeout: 10_000 });
    overlayProbe = r.status === 0 && spawnSync("test", ["-c", join(dir, "upper", "f")]).status === 0;
  } catch {
    overlayProbe = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return overlayProbe;
}
