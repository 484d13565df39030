import { readdirSync, readFileSync } from "node:fs";

const O_CLOEXEC = 0o2000000;

let inheritable: boolean | null = null;

/**
 * Whether this process holds descriptors above stdio that its children inherit (opened without
 * O_CLOEXEC): ones the shell or service manager that started Cadre left open. Node opens its own
 * with O_CLOEXEC, so the answer is fixed at start and read once.
 */
export function holdsInheritableFds(): boolean {
  inheritable ??= readdirSync("/proc/self/fd").some((name) => {
    const fd = Number(name);
    if (!(fd > 2)) return false;
    try {
      const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))?.[1];
      return flags !== undefined && (parseInt(flags, 8) & O_CLOEXEC) === 0;
    } catch {
      return false;
    }
  });
  return inheritable;
}

// bash, not sh: dash redirects only descriptors 0-9. bash exports SHLVL to what it execs (unset
// does not stop it), and the chain's environment reaches the sandbox's /proc/1: env drops it.
const CLOSE_THEN_EXEC =
  'for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt "$0" ]; then eval "exec $n>&-"; fi; done; exec env -u SHLVL "$@"';

/**
 * Argument prefix that closes every descriptor above `keepThrough` before the launch chain goes
 * on: bubblewrap passes open descriptors into the sandbox, where a command could write to (or read
 * from) whatever Cadre's parent had open. Empty when there is nothing to close.
 */
export function closeInheritedFdsPrefix(keepThrough: number): string[] {
  return holdsInheritableFds() ? ["bash", "-c", CLOSE_THEN_EXEC, String(keepThrough)] : [];
}
