import type { Price } from "@cadre/protocol";

const p = (inputPerMTok: number, cachedInputPerMTok: number, outputPerMTok: number): Price => ({
  inputPerMTok,
  cachedInputPerMTok,
  outputPerMTok,
});

/**
 * List prices of a few well-known models (override or extend with `models["provider/model"].price`
 * in config.json). Models missing here cost 0 until a price is configured.
 */
export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  "gpt-5": p(1.25, 0.125, 10),
  "gpt-5-codex": p(1.25, 0.125, 10),
  "gpt-5-mini": p(0.25, 0.025, 2),
  "gpt-5-nano": p(0.05, 0.005, 0.4),
  "gpt-5.1": p(1.25, 0.125, 10),
  "gpt-5.1-codex": p(1.25, 0.125, 10),
  "gpt-4.1": p(2, 0.5, 8),
  "gpt-4.1-mini": p(0.4, 0.1, 1.6),
  "gpt-4o": p(2.5, 1.25, 10),
  "gpt-4o-mini": p(0.15, 0.075, 0.6),
  o3: p(2, 0.5, 8),
  "o4-mini": p(1.1, 0.275, 4.4),
  "claude-sonnet-4-5": p(3, 0.3, 15),
  "claude-sonnet-4": p(3, 0.3, 15),
  "claude-opus-4-5": p(5, 0.5, 25),
  "claude-opus-4-1": p(15, 1.5, 75),
  "claude-haiku-4-5": p(1, 0.1, 5),
};

/** `gpt-5-2025-08-07` and `claude-sonnet-4-5-20250929` are priced like their base names. */
const DATED_SNAPSHOT = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;

export function defaultPrice(modelId: string): Price | null {
  return DEFAULT_PRICES[modelId] ?? DEFAULT_PRICES[modelId.replace(DATED_SNAPSHOT, "")] ?? null;
}
