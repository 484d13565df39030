import { accessSync, constants } from "node:fs";
import { join } from "node:path";
import type { Limits } from "@cadre/protocol";
import { holdsInheritableFds } from "./inherited-fds.ts";
import { SandboxError } from "./types.ts";

/**
 * The launcher's whole environment. bash drops it when it hands over (`exec -c`), so the sandbox's
 * pid 1 (bubblewrap's init) shows an empty /proc/1/environ: no host directory, no server variable.
 */
export const LAUNCH_ENV = { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" };

/**
 * One bash that does, with builtins only, what used to take a process each (a cgroup-join shell, a
 * descriptor-closing bash, env, prlimit): joins the command's cgroups before anything else starts,
 * sets the rlimits (soft and hard; bubblewrap and the command inherit them), closes descriptors
 * Cadre inherited from whatever started it (bubblewrap would pass them into the sandbox), then
 * execs the rest with an empty environment. bash, not sh: dash redirects only descriptors 0-9 and
 * has no `exec -c`; plain `exec` would export SHLVL into the sandbox's /proc/1/environ.
 * Arguments: the number of cgroup.procs files, the files, processes, data KiB, file size KiB, the
 * highest descriptor to keep (`-`: none to close), then the program and its arguments.
 */
const LAUNCHER_SCRIPT = [
  'n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done',
  'ulimit -u "$1" -d "$2" -f "$3" || exit 125',
  'if [ "$4" != - ]; then for f in /proc/$$/fd/*; do d=${f##*/}; if [ "$d" -gt "$4" ]; then eval "exec $d>&-"; fi; done; fi',
  'shift 4; exec -c "$@"',
].join("\n");

const resolved = new Map<string, string>();

/**
 * The absolute path of a host program on the launch PATH, found once: after `exec -c` nothing
 * searches a PATH, so nsenter and bubblewrap are named by path.
 */
export function hostProgram(name: string): string {
  const known = resolved.get(name);
  if (known) return known;
  for (const dir of LAUNCH_ENV.PATH.split(":")) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      resolved.set(name, path);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new SandboxError("sandbox_error", `${name} is not installed (looked in ${LAUNCH_ENV.PATH}); install it`);
}

export interface LauncherInput {
  limits: Limits;
  /** cgroup.procs files the launcher writes its pid into. */
  cgroupProcs: string[];
  /** Descriptors 0 through this one stay open (stdio and the data pipes bubblewrap reads). */
  keepThrough: number;
  /** What the launcher becomes: the namespace entry, bubblewrap and the command. */
  argv: string[];
}

/** The argv of one sandboxed command's launch: a single process until bubblewrap's own children. */
export function launcherArgv(input: LauncherInput): string[] {
  const { limits } = input;
  const [program, ...rest] = input.argv;
  if (program === undefined) throw new SandboxError("sandbox_error", "nothing to launch");
  return [
    hostProgram("bash"),
    "-c",
    LAUNCHER_SCRIPT,
    "cadre-launch",
    String(input.cgroupProcs.length),
    ...input.cgroupProcs,
    String(limits.maxProcesses),
    String(limits.memoryMb * 1024),
    String(limits.diskMb * 1024),
    holdsInheritableFds() ? String(input.keepThrough) : "-",
    program.startsWith("/") ? program : hostProgram(program),
    ...rest,
  ];
}
