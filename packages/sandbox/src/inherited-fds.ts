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
