/** What every Cadre sandbox is like; the runner's environment text (setup, network policy) is added after it. */
export const SANDBOX_ENVIRONMENT = [
  "- The workspace (/workspace) is a checkout of the repository at the task's base commit, with your changes on top. The environment's setup script has already run (dependencies are usually installed).",
  "- Commands run with bash in an isolated sandbox with a private /tmp and HOME. Each shell call starts afresh in the workspace root (or its workdir): cd and exported variables do not carry over.",
  "- Each command is killed at the environment's time limit (timeout_ms can only shorten it); run the relevant tests rather than everything when the suite is slow.",
  "- Network access may be off or limited to an allowlist. If a command cannot reach the network, do not retry it: work with what is installed and say so in your summary.",
  "- Secrets are not available to you. Do not try to read credentials.",
].join("\n");

/** The environment section: the sandbox facts plus what the runner knows about this environment. */
export function environmentInstructions(extra?: string): string {
  return extra?.trim() ? `${SANDBOX_ENVIRONMENT}\n\n${extra.trim()}` : SANDBOX_ENVIRONMENT;
}
