import type { QueueLimits } from "@cadre/store";

/** How long a claim lasts without renewal (CADRE_LEASE_MS, default 30 s): runners heartbeat at a third of it. */
export function leaseMs(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.CADRE_LEASE_MS);
  return Number.isInteger(ms) && ms >= 500 ? ms : 30_000;
}

function positiveInt(value: string | undefined): number | null {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : null;
}

/** Caps on running attempts across every runner, applied when a claim is made (give every server the same). */
export function queueLimits(env: NodeJS.ProcessEnv): QueueLimits {
  return { maxRunning: positiveInt(env.CADRE_MAX_RUNNING), maxPerRepo: positiveInt(env.CADRE_MAX_RUNNING_PER_REPO) };
}
