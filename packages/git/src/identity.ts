import { CadreError } from "@cadre/protocol";

export interface GitIdentity {
  name: string;
  email: string;
}

/** Who Cadre commits as when no author is given. */
export const CADRE_IDENTITY: GitIdentity = { name: "Cadre", email: "cadre@localhost" };

function assertIdentity(who: GitIdentity, role: string): void {
  const bad = /[\0\n\r<>]/;
  if (!who.name?.trim() || bad.test(who.name)) {
    throw new CadreError(
      "bad_request",
      `invalid ${role} name ${JSON.stringify(who.name)}: it must be non-empty without '<', '>' or line breaks`,
    );
  }
  if (!who.email?.trim() || bad.test(who.email)) {
    throw new CadreError(
      "bad_request",
      `invalid ${role} email ${JSON.stringify(who.email)}: it must be non-empty without '<', '>' or line breaks`,
    );
  }
}

/**
 * Environment for `git commit-tree`: the author (default Cadre) and the committer (default the
 * author), so commits never depend on the host's git configuration.
 */
export function identityEnv(author?: GitIdentity, committer?: GitIdentity, date?: string): Record<string, string> {
  const a = author ?? CADRE_IDENTITY;
  const c = committer ?? a;
  assertIdentity(a, "author");
  assertIdentity(c, "committer");
  const env: Record<string, string> = {
    GIT_AUTHOR_NAME: a.name,
    GIT_AUTHOR_EMAIL: a.email,
    GIT_COMMITTER_NAME: c.name,
    GIT_COMMITTER_EMAIL: c.email,
  };
  if (date) {
    env.GIT_AUTHOR_DATE = date;
    env.GIT_COMMITTER_DATE = date;
  }
  return env;
}
