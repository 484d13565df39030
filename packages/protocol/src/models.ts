import { z } from "zod";

/** A model tasks can name, as the server's configuration knows it. */
export const ModelInfo = z.object({
  /** `provider/model`. */
  name: z.string(),
  provider: z.string(),
  isDefault: z.boolean(),
  /** config: named in config.json; builtin: a provider's default; provider: listed by the provider's API. */
  source: z.enum(["config", "builtin", "provider"]),
  /** Whether a task can use it now (provider known, key and URL set); `problem` says what is missing. */
  ready: z.boolean(),
  problem: z.string().nullable(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

export const ModelList = z.object({
  /** The model a task gets when it names none; null when none can be chosen. */
  default: z.string().nullable(),
  items: z.array(ModelInfo),
  /** Why no model can run, when that is the case (e.g. no provider configured). */
  problem: z.string().nullable(),
});
export type ModelList = z.infer<typeof ModelList>;

export const ListModelsQuery = z.strictObject({
  /** Also ask each provider which models it offers (a request to the provider). */
  discover: z.stringbool().optional(),
});
