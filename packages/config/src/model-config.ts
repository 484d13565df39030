import { z } from "zod";
import { Price, PROVIDER_KINDS, ReasoningSettings } from "@cadre/protocol";
import { ConfigFileError } from "./config-file-error.ts";

export const ProviderConfigSchema = z.strictObject({
  kind: z.enum(PROVIDER_KINDS),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  /** Environment variable holding the key, e.g. "OPENROUTER_API_KEY". */
  apiKeyEnv: z.string().min(1).optional(),
  /** Responses only: free-form custom tools (default: only on api.openai.com). */
  customTools: z.boolean().optional(),
  /** Which edit tool models of this provider get. */
  family: z.enum(["openai", "anthropic"]).optional(),
  maxRetries: z.number().int().min(0).max(20).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const ModelSettingsSchema = z.strictObject({
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  price: Price.optional(),
  reasoning: ReasoningSettings.optional(),
});

/** The model part of `$CADRE_HOME/config.json`; other top-level keys belong to other components. */
export const ModelConfigSchema = z.looseObject({
  defaultModel: z
    .string()
    .regex(/^[^/]+\/.+$/, 'expected "provider/model", e.g. "openai/gpt-5.1-codex"')
    .optional(),
  providers: z.record(z.string().min(1), ProviderConfigSchema).default({}),
  models: z.record(z.string().regex(/^[^/]+\/.+$/, 'model keys are "provider/model"'), ModelSettingsSchema).default({}),
});

export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const EMPTY_MODEL_CONFIG: ModelConfig = { providers: {}, models: {} };

export function parseModelConfig(raw: unknown, file: string): ModelConfig {
  const result = ModelConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.map(String).join(".") || "(top level)"}: ${issue.message}`,
  );
  throw new ConfigFileError(file, problems.join("; "));
}
