import type { Attempt, PlanStep, Question } from "@cadre/protocol";
import type { CadreClient } from "./cadre-client.ts";

/** What a waiting attempt asked for: its open question, or the plan it wants approved. */
export interface PendingInput {
  attempt: Attempt;
  waitingFor: "answer" | "plan_approval" | "permission";
  questions: Question[];
  plan: { explanation: string | null; steps: PlanStep[] } | null;
}

/** The last question and plan of a waiting attempt, read from the end of its event log; null when it is not waiting. */
export async function pendingInput(client: CadreClient, attempt: Attempt): Promise<PendingInput | null> {
  if (attempt.status !== "waiting_for_input") return null;
  const out: PendingInput = { attempt, waitingFor: attempt.waitingFor ?? "answer", questions: [], plan: null };
  // The request is near the end of the log; a bounded window keeps this cheap on long attempts.
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

/** Pending input of every waiting attempt of a task. */
export async function pendingInputs(client: CadreClient, attempts: readonly Attempt[]): Promise<PendingInput[]> {
  const all = await Promise.all(attempts.map((a) => pendingInput(client, a)));
  return all.filter((p): p is PendingInput => p !== null);
}
