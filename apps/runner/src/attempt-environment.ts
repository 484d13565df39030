import { CadreError, DEFAULT_LIMITS, environmentRunsOn, type Environment } from "@cadre/protocol";
import { decryptSecret, type SandboxEnvironment } from "@cadre/sandbox";
import type { Store } from "@cadre/store";

/**
 * The sandbox's view of a task's environment, secrets decrypted (for the setup phase only).
 * Refused when the environment may no longer run on the task's repo (an admin took the repo off
 * its list after the task was queued): its secrets never reach another repo's code.
 */
export async function sandboxEnvironment(
  store: Store,
  env: Environment | null,
  secretKey: Buffer,
  repoId: string,
): Promise<SandboxEnvironment> {
  if (!env) {
    return {
      key: "default",
      setupScript: "",
      maintenanceScript: "",
      variables: {},
      secrets: {},
      networkPolicy: { mode: "off", allow: [], readOnlyMethods: false },
      limits: DEFAULT_LIMITS,
      setupTtlMs: 12 * 3600_000,
    };
  }
  if (!environmentRunsOn(env, repoId))
    throw new CadreError(
      "forbidden",
      `environment '${env.name}' is not allowed on this task's repo any more: an admin can allow it again with 'cadre env update ${env.name} --allow-repo <repo>'`,
    );
  const encrypted = await store.environments.encryptedSecrets(env.id);
  const secrets = Object.fromEntries(Object.entries(encrypted).map(([k, v]) => [k, decryptSecret(secretKey, v)]));
  return {
    key: `${env.id}-${Date.parse(env.updatedAt)}`,
    setupScript: env.setupScript,
    maintenanceScript: env.maintenanceScript,
    variables: env.variables,
    secrets,
    networkPolicy: env.networkPolicy,
    limits: { ...DEFAULT_LIMITS, ...env.limits },
    setupTtlMs: env.setupTtlMs,
    image: env.image,
  };
}
