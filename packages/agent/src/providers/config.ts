import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

export const PROVIDER_KINDS = ["openai-responses", "openai-chat", "anthropic"] as const;

export const PriceSchema = z.strictObject({
  inputPerMTok: z.number().nonnegative(),
  cachedInputPerMTok: z.number().nonnegative(),
  outputPerMTok: z.number().nonnegative(),
});

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

export const REASONING_EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;

export const ReasoningSchema = z.strictObject({
  effort: z.enum(REASONING_EFFORTS).optional(),
  /** Responses only: ask for reasoning summaries (streamed as reasoning_delta). */
  summary: z.enum(["auto", "concise", "detailed"]).optional(),
});

export const ModelSettingsSchema = z.strictObject({
  contextWindow: z.number().int().positive().optional(),
  maxOutputTokens: z.number().int().positive().optional(),
  price: PriceSchema.optional(),
  reasoning: ReasoningSchema.optional(),
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
export type ReasoningSettings = z.infer<typeof ReasoningSchema>;
export type ModelSettings = z.infer<typeof ModelSettingsSchema>;
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const EMPTY_MODEL_CONFIG: ModelConfig = { providers: {}, models: {} };

export function configFile(home: string): string {
  return join(home, "config.json");
}

export function parseModelConfig(raw: unknown, file: string): ModelConfig {
  const result = ModelConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.map(String).join(".") || "(top level)"}: ${issue.message}`,
  );
  throw new Error(`invalid ${file}: ${problems.join("; ")}`);
}

/** Reads the model settings; a missing file means built-in defaults (environment variables only). */
export async function loadModelConfig(home: string): Promise<ModelConfig> {
  const file = configFile(home);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { providers: {}, models: {} };
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid ${file}: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  return parseModelConfig(raw, file);
}
