import type { z } from "zod";
import type { CadreClient } from "@cadre/client";
import type { Attempt } from "@cadre/protocol";
import type { PendingInputOutput } from "./output-schemas.ts";

export type PendingInput = z.infer<typeof PendingInputOutput>;

/** What a waiting attempt asked for: its last question or plan, read from the event log. */
export async function pendingInput(client: CadreClient, attempt: Attempt): Promise<PendingInput | null> {
  if (attempt.status !== "waiting_for_input") return null;
  const out: PendingInput = { attempt: attempt.index, waitingFor: attempt.waitingFor ?? "answer" };
  // The request is near the end of the log; a bounded window keeps this cheap on long attempts.
  const after = Math.max(0, attempt.lastSeq - 500);
  const page = await client.call("listEvents", { params: { id: attempt.id }, query: { after, limit: 1000 } });
  for (const event of page.items) {
    if (event.type === "question") out.questions = event.questions;
    if (event.type === "plan") out.plan = { explanation: event.explanation ?? null, steps: event.steps };
  }
  return out;
}
