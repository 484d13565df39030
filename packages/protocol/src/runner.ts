import { z } from "zod";

export const Runner = z.object({
  id: z.string(),
  name: z.string(),
  slots: z.number().int(),
  activeAttempts: z.number().int(),
  lastHeartbeatAt: z.string(),
  startedAt: z.string(),
  alive: z.boolean(),
  /** Disk the runner's unpacked image layers take; null until it has measured. */
  imageBytes: z.number().nullable(),
});
export type Runner = z.infer<typeof Runner>;
