import type { CadreClient } from "@cadre/client";
import type { Attempt, PlanStep, Question } from "@cadre/protocol";

export interface PendingInput {
  questions: Question[];
  plan: { explanation: string | null; steps: PlanStep[] } | null;
}

/** The last question and plan a waiting attempt produced, from the end of its event log. */
export async function pendingInput(client: CadreClient, attempt: Attempt): Promise<PendingInput> {
  const out: PendingInput = { questions: [], plan: null };
  const page = await client.call("listEvents", {
    params: { id: attempt.id },
    query: { after: Math.max(0, attempt.lastSeq - 500), limit: 1000 },
  });
  for (const e of page.items) {
    if (e.type === "question") out.questions = e.questions;
    if (e.type === "plan") out.plan = { explanation: e.explanation ?? null, steps: e.steps };
  }
  return out;
}
