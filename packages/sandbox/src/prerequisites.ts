import { spawnSync } from "node:child_process";
import { systemPython } from "./seccomp-program.ts";

export interface PrerequisiteReport {
  ok: boolean;
  missing: { tool: string; debianPackage: string }[];
}

const TOOLS: { tool: string; program: string; args: string[]; debianPackage: string }[] = [
  { tool: "bwrap", program: "bwrap", args: ["--version"], debianPackage: "bubblewrap" },
  { tool: "git", program: "git", args: ["--version"], debianPackage: "git" },
  { tool: "unshare", program: "unshare", args: ["--version"], debianPackage: "util-linux" },
  { tool: "nsenter", program: "nsenter", args: ["--version"], debianPackage: "util-linux" },
  { tool: "prlimit", program: "prlimit", args: ["--version"], debianPackage: "util-linux" },
  // Brings up the loopback of a phase's network namespace, where the proxy forwarder listens.
  { tool: "ip", program: "ip", args: ["-V"], debianPackage: "iproute2" },
  // Compiles the sandbox's seccomp filter (libseccomp's Python binding).
  {
    tool: "python3 seccomp module",
    program: systemPython(),
    args: ["-c", "import seccomp"],
    debianPackage: "python3-seccomp",
  },
];

/** Which system tools the sandbox needs are missing, with the Debian package that provides each. */
export async function checkPrerequisites(): Promise<PrerequisiteReport> {
  const missing = TOOLS.filter((t) => spawnSync(t.program, t.args, { stdio: "ignore" }).status !== 0).map((t) => ({
    tool: t.tool,
    debianPackage: t.debianPackage,
  }));
  return { ok: missing.length === 0, missing };
}
