import { spawnSync } from "node:child_process";

export interface PrerequisiteReport {
  ok: boolean;
  missing: { tool: string; debianPackage: string }[];
}

const TOOLS: { tool: string; args: string[]; debianPackage: string }[] = [
  { tool: "bwrap", args: ["--version"], debianPackage: "bubblewrap" },
  { tool: "git", args: ["--version"], debianPackage: "git" },
  { tool: "unshare", args: ["--version"], debianPackage: "util-linux" },
  { tool: "nsenter", args: ["--version"], debianPackage: "util-linux" },
  { tool: "prlimit", args: ["--version"], debianPackage: "util-linux" },
];

/** Which system tools the sandbox needs are missing, with the Debian package that provides each. */
export async function checkPrerequisites(): Promise<PrerequisiteReport> {
  const missing = TOOLS.filter((t) => spawnSync(t.tool, t.args, { stdio: "ignore" }).status !== 0).map((t) => ({
    tool: t.tool,
    debianPackage: t.debianPackage,
  }));
  return { ok: missing.length === 0, missing };
}
