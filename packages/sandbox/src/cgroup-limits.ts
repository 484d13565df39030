import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";

interface ControllerDir {
  dir: string;
  limitFile: string;
}

export interface CgroupSupport {
  pids: ControllerDir | null;
  memory: ControllerDir | null;
}

let probed: CgroupSupport | null = null;

/** Own cgroup path per controller ("" key = cgroup v2). */
function ownPaths(): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = line.split(":");
    if (controllers === undefined || path === undefined) continue;
    for (const c of controllers.split(",")) map.set(c, path);
  }
  return map;
}

function tryController(candidates: [string, string][]): ControllerDir | null {
  for (const [dir, limitFile] of candidates) {
    if (!existsSync(dir)) continue;
    const probe = join(dir, `cadre-probe-${process.pid}-${randomBytes(3).toString("hex")}`);
    try {
      mkdirSync(probe);
    } catch {
      continue;
    }
    try {
      if (existsSync(join(probe, limitFile))) {
        // Writing the current value back proves the limit is ours to set.
        writeFileSync(join(probe, limitFile), readFileSync(join(probe, limitFile), "utf8").trim());
        return { dir, limitFile };
      }
    } catch {
      // not writable: try the next candidate
    } finally {
      try {
        rmdirSync(probe);
      } catch {
        // the probe group is empty; a failure here only leaves an empty directory
      }
    }
  }
  return null;
}

/**
 * Finds cgroup directories this process may create children in, for the pids and memory
 * controllers (v1 hierarchies or a delegated v2 subtree). Probed once.
 */
export function cgroupSupport(): CgroupSupport {
  if (probed) return probed;
  let paths: Map<string, string>;
  try {
    paths = ownPaths();
  } catch {
    probed = { pids: null, memory: null };
    return probed;
  }
  const v2 = paths.get("") ?? "/";
  const v2Root = existsSync("/sys/fs/cgroup/cgroup.controllers") ? "/sys/fs/cgroup" : "/sys/fs/cgroup/unified";
  const v1 = (controller: string): [string, string][] => [
    [join("/sys/fs/cgroup", controller, paths.get(controller) ?? "/"), ""],
    [join("/sys/fs/cgroup", controller), ""],
  ];
  probed = {
    pids: tryController([
      ...v1("pids").map(([d]): [string, string] => [d, "pids.max"]),
      [join(v2Root, v2), "pids.max"],
    ]),
    memory: tryController([
      ...v1("memory").map(([d]): [string, string] => [d, "memory.limit_in_bytes"]),
      [join(v2Root, v2), "memory.max"],
    ]),
  };
  return probed;
}

/** What a command's cgroups counted: kills by the memory limit, process starts the pids limit refused. */
export interface LimitEvents {
  oomKills: number;
  forksRefused: number;
}

/**
 * A cgroup file's text, "" when it is absent. Read synchronously, like every cgroup access here:
 * these are kernel counters answered at once, and a thread-pool round trip per file cost more
 * than the read on a loaded machine, on every command.
 */
function readCgroupFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** The number after `key` on its own line of a cgroup key-value file (memory.events, pids.events, …). */
function counter(file: string, key: string): number {
  const text = readCgroupFile(file);
  const line = text.split("\n").find((l) => l.startsWith(`${key} `));
  return line ? Number(line.slice(key.length + 1)) || 0 : 0;
}

/** A per-command cgroup set; `procsFiles` are what the launcher writes its pid into. */
export class CommandCgroups {
  readonly dirs: string[] = [];
  private memoryDir: string | null = null;
  private pidsDir: string | null = null;

  static create(limits: { maxProcesses: number; memoryMb: number }): CommandCgroups {
    const support = cgroupSupport();
    const group = new CommandCgroups();
    const name = `cadre-${process.pid}-${randomBytes(4).toString("hex")}`;
    const wanted: [ControllerDir | null, string, "pids" | "memory"][] = [
      [support.pids, String(limits.maxProcesses), "pids"],
      [support.memory, String(limits.memoryMb * 1024 * 1024), "memory"],
    ];
    for (const [controller, value, kind] of wanted) {
      if (!controller) continue;
      const dir = join(controller.dir, name);
      try {
        mkdirSync(dir);
        writeFileSync(join(dir, controller.limitFile), value);
        group.dirs.push(dir);
        if (kind === "pids") group.pidsDir = dir;
        else group.memoryDir = dir;
      } catch {
        // A controller that refuses is skipped; rlimits still apply.
      }
    }
    return group;
  }

  /** What the limits did to the command so far; zeros where a controller is not in use. */
  limitEvents(): LimitEvents {
    const memory = this.memoryDir;
    // cgroup v2 counts in memory.events, v1 in memory.oom_control; both name the count oom_kill.
    const oomKills = memory
      ? Math.max(
          counter(join(memory, "memory.events"), "oom_kill"),
          counter(join(memory, "memory.oom_control"), "oom_kill"),
        )
      : 0;
    const forksRefused = this.pidsDir ? counter(join(this.pidsDir, "pids.events"), "max") : 0;
    return { oomKills, forksRefused };
  }

  get procsFiles(): string[] {
    return this.dirs.map((d) => join(d, "cgroup.procs"));
  }

  /** Kills whatever is left in the groups and removes them. */
  async dispose(): Promise<void> {
    for (const dir of this.dirs) {
      for (let i = 0; i < 500; i++) {
        const pids = readCgroupFile(join(dir, "cgroup.procs")).split("\n").filter(Boolean);
        for (const pid of pids) {
          try {
            process.kill(Number(pid), "SIGKILL");
          } catch {
            // already gone
          }
        }
        try {
          rmdirSync(dir);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === "ENOENT") break;
          // Processes of a torn-down pid namespace leave the group within milliseconds.
          await new Promise((r) => setTimeout(r, 2));
        }
      }
    }
  }
}
