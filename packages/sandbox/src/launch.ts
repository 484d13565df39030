import type { Limits } from "@cadre/protocol";
import { bwrapArgs, encodeArgs, GROUP_TEXT, PASSWD_TEXT, type BwrapNetwork } from "./bwrap-args.ts";
import { CommandCgroups } from "./cgroup-limits.ts";
import type { CommandHelper } from "./command-helper.ts";
import { hostProgram, launcherArgv } from "./launcher.ts";
import { withLimits } from "./limit-kill.ts";
import { runSandboxed, type SandboxedResult } from "./run-sandboxed.ts";

export interface LaunchSpec {
  /** Namespace entry prefix (nsenter into a holder), empty for none. */
  entry: string[];
  /** The workspace tree as seen after entry. */
  workspace: string;
  readOnly: boolean;
  network: BwrapNetwork;
  /** The compiled seccomp program; null runs without a filter (benchmarks of the old path). */
  seccomp: Buffer | null;
  cwd: string;
  env: Record<string, string>;
  limits: Limits;
  timeoutMs: number;
  signal?: AbortSignal;
  redact: string[];
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  extraBinds?: [string, string][];
  watchdog?: { intervalMs: number; check: () => Promise<string | null> };
  /** An image's root as the system (see bwrap-args), and the shell it has (`/bin/sh` when no bash). */
  systemRoot?: { merged: string; hostCaCertificates: boolean };
  shell?: string;
  command: string;
  /**
   * The workspace holder's command loop, when the command may start from the holder's namespaces
   * (`entry` is then unused), and the files holding what would otherwise go down input pipes.
   */
  helper?: { commands: CommandHelper; files: HelperFiles };
}

/** The constant inputs of every command, written once beside the helper's FIFOs. */
export interface HelperFiles {
  seccomp: string | null;
  passwd: string;
  group: string;
}

/** Where the launched process finds bubblewrap's options; the seccomp program and the identity files follow. */
const ARGS_FD = 3;
const PASSWD = Buffer.from(PASSWD_TEXT);
const GROUP = Buffer.from(GROUP_TEXT);

/**
 * Runs a shell command in a fresh bubblewrap sandbox with resource limits: rlimits always
 * (processes, data size, file size), plus pids/memory cgroups where this process may create
 * them — RLIMIT_NPROC does not bind when the host user is root, the cgroup does. One process
 * carries the launch (see launcher.ts): a bash that becomes nsenter, then bubblewrap; all run from
 * the host's system before the sandbox exists, so an image's root needs only the command's shell.
 */
export async function launch(spec: LaunchSpec): Promise<SandboxedResult> {
  const startedAt = performance.now();
  const { limits } = spec;
  const disk = limits.diskMb * 1024 * 1024;
  // One pipe each, from fd 4 on: the seccomp program (when there is one), passwd, group.
  const inputs = [...(spec.seccomp ? [spec.seccomp] : []), PASSWD, GROUP];
  const fdOf = (data: Buffer): number => ARGS_FD + 1 + inputs.indexOf(data);
  const options = bwrapArgs({
    workspace: spec.workspace,
    readOnly: spec.readOnly,
    network: spec.network,
    seccompFd: spec.seccomp ? fdOf(spec.seccomp) : undefined,
    cwd: spec.cwd,
    env: spec.env,
    identityFds: { passwd: fdOf(PASSWD), group: fdOf(GROUP) },
    extraBinds: spec.extraBinds,
    tmpSizeBytes: Math.min(disk, 4 * 1024 * 1024 * 1024),
    ...(spec.systemRoot ? { systemRoot: spec.systemRoot } : {}),
  });
  const prefix = [hostProgram("bwrap"), "--args", String(ARGS_FD), "--"];
  const shell = spec.shell ?? "bash";
  const args = encodeArgs(options);
  const commands = spec.helper?.commands;
  const spareLaunch = spec.helper
    ? { limits, args, inputFiles: helperInputs(spec.helper.files, spec.seccomp !== null), prefix, shell }
    : null;
  // A warm spare built for this launch runs the command at once; it brought its own cgroups.
  const taken = commands && spareLaunch ? await commands.takeSpare(spareLaunch, spec.command) : null;
  const cgroups = taken?.cgroups ?? CommandCgroups.create(limits);
  try {
    const command = [...prefix, shell, "-c", spec.command];
    const helped =
      taken?.process ??
      (commands && spareLaunch
        ? await commands.launch({ ...spareLaunch, cgroupProcs: cgroups.procsFiles, argv: command })
        : null);
    const common = {
      startedAt,
      timeoutMs: spec.timeoutMs,
      signal: spec.signal,
      outputLimitBytes: limits.outputBytes,
      redact: spec.redact,
      onOutput: spec.onOutput,
      watchdog: spec.watchdog,
    };
    const result = await runSandboxed(
      helped
        ? { ...common, process: helped }
        : {
            ...common,
            argv: launcherArgv({
              limits,
              cgroupProcs: cgroups.procsFiles,
              // Only stdio and the pipes below reach bubblewrap.
              keepThrough: ARGS_FD + inputs.length,
              argv: [...spec.entry, ...command],
            }),
            inputs: [args, ...inputs],
          },
    );
    return withLimits(result, cgroups.limitEvents(), limits);
  } finally {
    await cgroups.dispose();
    // The next command's sandbox is built once this one's processes are gone: built while they
    // run or are torn down, bubblewrap's namespace setup waits on theirs (measured: tens of ms).
    if (commands && spareLaunch) void commands.prepareSpare(spareLaunch);
  }
}

/** The helper's inputs in the order the pipes would have had (see fdOf above). */
function helperInputs(files: HelperFiles, seccomp: boolean): string[] {
  return [...(seccomp && files.seccomp ? [files.seccomp] : []), files.passwd, files.group];
}
