import { DEFAULT_LIMITS, type Environment } from "@cadre/protocol";
import { decryptSecret, type SandboxEnvironment } from "@cadre/sandbox";
import type { Store } from "@cadre/store";

/** The sandbox's view of a task's environment, secrets decrypted (for the setup phase only). */
export async function sandboxEnvironment(
  store: Store,
  env: Environment | null,
  secretKey: Buffer,
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
  };
}
