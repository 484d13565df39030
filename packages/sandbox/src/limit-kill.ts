import type { Limits } from "@cadre/protocol";
import type { LimitEvents } from "./cgroup-limits.ts";
import type { SandboxExecResult } from "./types.ts";

/** 128 + SIGXFSZ: the kernel killed a process that wrote past RLIMIT_FSIZE (the disk limit). */
const FILE_SIZE_KILL = 128 + 25;

/**
 * Says which limit stopped a command when it can tell, instead of a bare exit code: the memory
 * limit's kills and the process limit's refusals are counted by the command's cgroups, a file
 * size kill shows as its own exit code. Null when no limit was involved (or none can be told).
 */
export function explainLimits(exitCode: number | null, events: LimitEvents, limits: Limits): string | null {
  const reasons: string[] = [];
  if (events.oomKills > 0) reasons.push(`killed: memory limit ${limits.memoryMb} MB`);
  if (exitCode === FILE_SIZE_KILL) reasons.push(`killed: file size limit (the disk limit of ${limits.diskMb} MB)`);
  if (events.forksRefused > 0)
    reasons.push(
      `process limit ${limits.maxProcesses} reached: ${events.forksRefused} new process${events.forksRefused === 1 ? " was" : "es were"} refused`,
    );
  return reasons.length > 0 ? reasons.join("; ") : null;
}

/** The result with the limits that stopped the command named, in `limit` and at the end of its output. */
export function withLimits(result: SandboxExecResult, events: LimitEvents, limits: Limits): SandboxExecResult {
  // A limit the watchdog enforced (disk) is already named and marked in the output.
  if (result.limit || result.cancelled || result.timedOut) return result;
  const limit = explainLimits(result.exitCode, events, limits);
  return limit ? { ...result, limit, output: `${result.output}\n[cadre: ${limit}]\n` } : result;
}
