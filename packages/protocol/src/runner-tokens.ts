import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";

/** A runner token's name: what `cadre runner token revoke <name>` and `cadre runners` call it. */
export const RunnerName = z
  .string()
  .min(1)
  .max(63)
  .regex(
    /^[a-z0-9][a-z0-9.-]*$/,
    "a runner name starts with a lowercase letter or digit and may contain lowercase letters, digits, '.' and '-'",
  );

/**
 * A runner token: it lets a runner machine register and then act only on the attempts it holds
 * (no user route, no repo or environment listing). Only its hash is stored.
 */
export const RunnerToken = z.object({
  id: Id,
  name: z.string(),
  createdBy: z.string(),
  createdAt: Timestamp,
  revokedAt: Timestamp.nullable(),
  lastUsedAt: Timestamp.nullable(),
});
export type RunnerToken = z.infer<typeof RunnerToken>;

/** A runner token as created: the secret is in this response once and never again. */
export const NewRunnerToken = z.object({ token: z.string(), info: RunnerToken });
export type NewRunnerToken = z.infer<typeof NewRunnerToken>;

export const CreateRunnerToken = z.strictObject({ name: RunnerName });
export type CreateRunnerToken = z.infer<typeof CreateRunnerToken>;
