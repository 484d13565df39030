import { runGit } from "./run-git.ts";
import type { GitIdentity } from "./identity.ts";

async function globalConfig(key: string): Promise<string | null> {
  const res = await runGit(["config", "--global", "--get", key], { okCodes: [0, 1, 128] }).catch(() => null);
  const value = res?.code === 0 ? res.stdout.toString("utf8").trim() : "";
  return value && !/[<>\n\r\0]/.test(value) ? value : null;
}

/**
 * The identity of the account the server runs as, from its global git configuration (user.name,
 * user.email), or null when either is unset: whoever starts Cadre on their own machine is
 * usually its bootstrap admin, and this is what their own commits say.
 */
export async function hostGitIdentity(): Promise<GitIdentity | null> {
  const [name, email] = await Promise.all([globalConfig("user.name"), globalConfig("user.email")]);
  return name && email ? { name, email } : null;
}
