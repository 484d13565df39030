import {
  CadreError,
  DEFAULT_LIMITS,
  environmentRunsOn,
  type AttemptEnvironment,
  type Environment,
} from "@cadre/protocol";
import { decryptSecret } from "@cadre/secrets";
import type { ServerContext } from "../server-context.ts";

const NO_ENVIRONMENT: AttemptEnvironment = {
  key: "default",
  name: null,
  setupScript: "",
  maintenanceScript: "",
  variables: {},
  secrets: {},
  networkPolicy: { mode: "off", allow: [], readOnlyMethods: false },
  limits: DEFAULT_LIMITS,
  setupTtlMs: 12 * 3600_000,
  image: null,
  testCommand: "",
  instructions: "",
};

/**
 * The task's environment as the runner holding its attempt needs it, secrets decrypted here (the
 * secret key never leaves the server). Refused when the environment may no longer run on the
 * task's repo (an admin took the repo off its list after the task was queued): its secrets never
 * reach another repo's code.
 */
export async function attemptEnvironment(
  ctx: ServerContext,
  env: Environment | null,
  repoId: string,
): Promise<AttemptEnvironment> {
  if (!env) return NO_ENVIRONMENT;
  if (!environmentRunsOn(env, repoId))
    throw new CadreError(
      "forbidden",
      `environment '${env.name}' is not allowed on this task's repo any more: an admin can allow it again with 'cadre env update ${env.name} --allow-repo <repo>'`,
    );
  const encrypted = await ctx.store.environments.encryptedSecrets(env.id);
  const secrets = Object.fromEntries(
    Object.entries(encrypted).map(([name, value]) => [name, decryptSecret(ctx.secretKey, value)]),
  );
  return {
    key: `${env.id}-${Date.parse(env.updatedAt)}`,
    name: env.name,
    setupScript: env.setupScript,
    maintenanceScript: env.maintenanceScript,
    variables: env.variables,
    secrets,
    networkPolicy: env.networkPolicy,
    limits: { ...DEFAULT_LIMITS, ...env.limits },
    setupTtlMs: env.setupTtlMs,
    image: env.image,
    testCommand: env.testCommand,
    instructions: env.instructions,
  };
}
