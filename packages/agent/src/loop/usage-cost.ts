import type { Usage } from "@cadre/protocol";
import type { ModelPrice } from "./agent-options.ts";

/** Cost of one model call. Input tokens include cached ones, which are priced separately. */
export function usageCost(u: Omit<Usage, "costUsd">, price: ModelPrice | undefined): number {
  if (!price) return 0;
  const cached = Math.min(u.cachedInputTokens, u.inputTokens);
  const cost =
    ((u.inputTokens - cached) * price.inputPerMTok +
      cached * price.cachedInputPerMTok +
      u.outputTokens * price.outputPerMTok) /
    1_000_000;
  return Math.max(0, cost);
}
