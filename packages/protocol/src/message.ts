import { z } from "zod";
import { Id, Timestamp } from "./ids.ts";

/** A message sent to a running attempt: the agent reads it before its next step, without stopping the run. */
export const AttemptMessage = z.object({
  id: Id,
  attemptId: Id,
  text: z.string(),
  /** "Stop and ask me": the agent stops at its next step and waits for the user's answer. */
  stop: z.boolean(),
  createdBy: z.string(),
  createdAt: Timestamp,
  /** Seq of the user_message event that delivered it; null while it waits for the agent's next step. */
  deliveredSeq: z.number().int().nullable(),
});
export type AttemptMessage = z.infer<typeof AttemptMessage>;

export const SendMessageBody = z
  .strictObject({
    text: z.string().trim().max(100_000).default(""),
    attempt: z.number().int().min(1).max(8).optional(),
    stop: z.boolean().default(false),
  })
  .refine((b) => b.stop || b.text.length > 0, { message: "a message needs text (or stop: true)", path: ["text"] });
export type SendMessageBody = z.input<typeof SendMessageBody>;
