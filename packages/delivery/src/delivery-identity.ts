import { CADRE_IDENTITY, type GitIdentity } from "@cadre/git";
import type { Store } from "@cadre/store";

export interface DeliveryIdentities {
  /** The person the change is for: the task's creator. */
  author: GitIdentity;
  /** Cadre, which made the commit (CADRE_COMMITTER_NAME / CADRE_COMMITTER_EMAIL). */
  committer: GitIdentity;
}

const UNSAFE = /[<>\n\r\0]/;

/** The committer of delivered commits: Cadre, unless the operator named another. */
export function deliveryCommitter(env: NodeJS.ProcessEnv): GitIdentity {
  const name = env.CADRE_COMMITTER_NAME?.trim();
  const email = env.CADRE_COMMITTER_EMAIL?.trim();
  return {
    name: name && !UNSAFE.test(name) ? name : CADRE_IDENTITY.name,
    email: email && !UNSAFE.test(email) ? email : CADRE_IDENTITY.email,
  };
}

/**
 * Who a task's delivered commits are by: the user who created it, with their display name and
 * email; a user without an email (or a creator that is no user) falls back to NAME@localhost.
 */
export async function deliveryIdentities(
  store: Pick<Store, "users">,
  createdBy: string,
  env: NodeJS.ProcessEnv,
): Promise<DeliveryIdentities> {
  const user = await store.users.find(createdBy);
  const login = createdBy.replace(/[^A-Za-z0-9._-]/g, "") || "cadre-user";
  const author = {
    name: user?.displayName ?? user?.name ?? login,
    email: user?.email ?? `${login}@localhost`,
  };
  return { author, committer: deliveryCommitter(env) };
}
