import type { AttemptEnvironment } from "@cadre/protocol";
import type { SandboxEnvironment } from "@cadre/sandbox";

/** The sandbox's part of the environment the server sent for the attempt. */
export function sandboxEnvironment(environment: AttemptEnvironment): SandboxEnvironment {
  return {
    key: environment.key,
    setupScript: environment.setupScript,
    maintenanceScript: environment.maintenanceScript,
    variables: environment.variables,
    secrets: environment.secrets,
    networkPolicy: environment.networkPolicy,
    limits: environment.limits,
    setupTtlMs: environment.setupTtlMs,
    image: environment.image,
  };
}
