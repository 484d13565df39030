import type { Limits } from "@cadre/protocol";
import { bwrapArgs } from "./bwrap-args.ts";
import { CommandCgroups } from "./cgroup-limits.ts";
import { runSandboxed, type SandboxedResult } from "./run-sandboxed.ts";

export interface LaunchSpec {
  /** Namespace entry prefix (nsenter into a holder, or unshare + mount), empty for none. */
  entry: string[];
  /** The workspace tree as seen after entry. */
  workspace: string;
  identityDir: string;
  readOnly: boolean;
  network: boolean;
  cwd: string;
  env: Record<string, string>;
  limits: Limits;
  timeoutMs: number;
  signal?: AbortSignal;
  redact: string[];
  onOutput?: (stream: "stdout" | "stderr", chunk: string) => void;
  extraBinds?: [string, string][];
  /** Sandbox path of a script `node` runs in front of the command (the proxy forwarder). */
  wrapper?: string;
  watchdog?: { intervalMs: number; check: () => Promise<string | null> };
  command: string;
}

/**
 * Runs a shell command in a fresh bubblewrap sandbox with resource limits: rlimits always
 * (processes, data size, file size), plus pids/memory cgroups where this process may create
 * them — RLIMIT_NPROC does not bind when the host user is root, the cgroup does.
 */
export async function launch(spec: LaunchSpec): Promise<SandboxedResult> {
  const { limits } = spec;
  const mem = limits.memoryMb * 1024 * 1024;
  const disk = limits.diskMb * 1024 * 1024;
  const inner = [
    "prlimit",
    `--nproc=${limits.maxProcesses}:${limits.maxProcesses}`,
    `--data=${mem}:${mem}`,
    `--fsize=${disk}:${disk}`,
    "--",
    ...(spec.wrapper ? ["node", spec.wrapper] : []),
    "bash",
    "-c",
    spec.command,
  ];
  const argv = [
    ...spec.entry,
    "bwrap",
    ...bwrapArgs({
      workspace: spec.workspace,
      readOnly: spec.readOnly,
      network: spec.network,
      cwd: spec.cwd,
      env: spec.env,
      identityDir: spec.identityDir,
      extraBinds: spec.extraBinds,
      tmpSizeBytes: Math.min(disk, 4 * 1024 * 1024 * 1024),
      command: inner,
    }),
  ];
  const cgroups = await CommandCgroups.create(limits);
  try {
    return await runSandboxed({
      argv,
      cgroupProcs: cgroups.procsFiles,
      timeoutMs: spec.timeoutMs,
      signal: spec.signal,
      outputLimitBytes: limits.outputBytes,
      redact: spec.redact,
      onOutput: spec.onOutput,
      watchdog: spec.watchdog,
    });
  } finally {
    await cgroups.dispose();
  }
}
