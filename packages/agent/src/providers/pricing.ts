import type { Price, Usage } from "@cadre/protocol";

/** Cost of one reply. Cached input is part of `inputTokens` and billed at the cached rate. */
export function costOf(usage: Omit<Usage, "costUsd">, price: Price | null): number {
  if (!price) return 0;
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (
    (fresh * price.inputPerMTok + cached * price.cachedInputPerMTok + usage.outputTokens * price.outputPerMTok) /
    1_000_000
  );
}
