import type { CadreClient } from "@cadre/client";
import type { Attempt, PlanStep, Question } from "@cadre/protocol";

export interface PendingInput {
  attempt: number;
  waitingFor: string;
  questions?: Question[];
  plan?: { explanation: string | null; steps: PlanStep[] };
}

/** What a waiting attempt asked for: its last question or plan, read from the event log. */
export async function pendingInput(client: CadreClient, attempt: Attempt): Promise<PendingInput | null> {
  if (attempt.status !== "waiting_for_input") return null;
  const out: PendingInput = { attempt: attempt.index, waitingFor: attempt.waitingFor ?? "answer" };
  // The request is near the end of the log; a bounded window keeps this cheap on long attempts.
  const after = Math.max(0, attempt.lastSeq - 500);
  const page = await client.call("listEvents", { params: { id: attempt.id }, query: { after, limit: 1000 } });
  for (const e of page.items) {
    if (e.type === "question") out.questions = e.questions;
    if (e.type === "plan") out.plan = { explanation: e.explanation ?? null, steps: e.steps };
  }
  return out;
}
