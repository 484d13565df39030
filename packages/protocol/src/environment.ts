import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";
import { ImageField } from "./image-reference.ts";

export const NetworkPolicy = z.strictObject({
  /**
   * The agent's network: `off` none; `allowlist` the listed hosts only; `on` any public address.
   * Every mode goes through Cadre's egress proxy, never the host's own network or services.
   */
  mode: z.enum(["off", "allowlist", "on"]),
  /**
   * Host patterns such as `registry.npmjs.org`, `*.example.com` or `10.0.0.5:8080`. With `allowlist`
   * the only hosts the agent may reach; with any mode, a host listed literally (not by `*.`) may be
   * a private address, and setup and maintenance may reach it too.
   */
  allow: z
    .array(
      z
        .string()
        .min(1)
        .max(253)
        .regex(/^(\*\.)?[A-Za-z0-9.-]+(:[0-9]+)?$/, "a domain pattern such as example.com or *.example.com"),
    )
    .max(200)
    .default([]),
  /** When true, only GET, HEAD and OPTIONS are let through. */
  readOnlyMethods: z.boolean().default(false),
});
export type NetworkPolicy = z.infer<typeof NetworkPolicy>;

export const Limits = z.strictObject({
  commandTimeoutMs: z
    .number()
    .int()
    .min(1000)
    .max(6 * 3600_000)
    .default(10 * 60_000),
  attemptTimeoutMs: z
    .number()
    .int()
    .min(10_000)
    .max(48 * 3600_000)
    .default(2 * 3600_000),
  memoryMb: z
    .number()
    .int()
    .min(64)
    .max(256 * 1024)
    .default(4096),
  maxProcesses: z.number().int().min(16).max(65536).default(512),
  diskMb: z
    .number()
    .int()
    .min(16)
    .max(1024 * 1024)
    .default(10 * 1024),
  outputBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(64 * 1024),
});
export type Limits = z.infer<typeof Limits>;
export const DEFAULT_LIMITS: Limits = Limits.parse({});

const EnvVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "a variable name is letters, digits and '_', not starting with a digit");

export const Environment = z.object({
  id: Id,
  name: z.string(),
  /** The repository it belongs to (null: a shared environment, made by an admin). */
  repoId: Id.nullable(),
  /** Other repositories an admin let use it (and run its secrets); it runs nowhere else. */
  allowedRepoIds: z.array(Id),
  setupScript: z.string(),
  maintenanceScript: z.string(),
  variables: z.record(z.string(), z.string()),
  /** Names only: secret values are write-only and never returned. */
  secretNames: z.array(z.string()),
  networkPolicy: NetworkPolicy,
  limits: Limits,
  /** The repository's test command, run to report whether an attempt's final state passes. */
  testCommand: z.string(),
  instructions: z.string(),
  setupTtlMs: z.number().int(),
  /** OCI image whose root the sandbox runs in (skopeo transport syntax, or `devcontainer`); null: the runner's system. */
  image: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Environment = z.infer<typeof Environment>;

const EnvironmentFields = {
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "an environment name may contain letters, digits, '.', '_' and '-'")
    // An environment is found by id or name: a name shaped like an id could stand in for another one.
    .refine((s) => !s.startsWith("env_"), "an environment name may not start with 'env_' (ids do)")

    .refine(
      (s) => !s.includes("..") && !s.endsWith(".lock"),
      "an environment name may not contain '..' or end in '.lock'",
    ),
  repoId: Id.nullable(),
  /** Set by admins only. */
  allowedRepoIds: z.array(Id).max(1000),
  setupScript: z.string().max(256 * 1024),
  maintenanceScript: z.string().max(256 * 1024),
  variables: z.record(EnvVarName, z.string().max(64 * 1024)),
  /** Set a secret's value with a string; remove it with null. */
  secrets: z.record(
    EnvVarName,
    z
      .string()
      .min(1)
      .max(64 * 1024)
      .nullable(),
  ),
  networkPolicy: NetworkPolicy,
  limits: Limits.partial(),
  testCommand: z.string().max(4096),
  instructions: z.string().max(64 * 1024),
  setupTtlMs: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 3600_000),
  image: ImageField.nullable(),
};

export const CreateEnvironment = z.strictObject({
  ...EnvironmentFields,
  repoId: EnvironmentFields.repoId.optional(),
  allowedRepoIds: EnvironmentFields.allowedRepoIds.optional(),
  setupScript: EnvironmentFields.setupScript.optional(),
  maintenanceScript: EnvironmentFields.maintenanceScript.optional(),
  variables: EnvironmentFields.variables.optional(),
  secrets: EnvironmentFields.secrets.optional(),
  networkPolicy: EnvironmentFields.networkPolicy.optional(),
  limits: EnvironmentFields.limits.optional(),
  testCommand: EnvironmentFields.testCommand.optional(),
  instructions: EnvironmentFields.instructions.optional(),
  setupTtlMs: EnvironmentFields.setupTtlMs.optional(),
  image: EnvironmentFields.image.optional(),
});
export type CreateEnvironment = z.infer<typeof CreateEnvironment>;

export const UpdateEnvironment = z.strictObject(EnvironmentFields).partial();
export type UpdateEnvironment = z.infer<typeof UpdateEnvironment>;

/** Whether an environment (and so its secrets) may run a task of `repoId`: its own repo's, or one an admin allowed. */
export function environmentRunsOn(env: Pick<Environment, "repoId" | "allowedRepoIds">, repoId: string): boolean {
  return env.repoId === repoId || env.allowedRepoIds.includes(repoId);
}
