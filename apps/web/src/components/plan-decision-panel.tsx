import { useState } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";
import { PlanCard } from "./plan-card.tsx";

/** A plan waiting for approval: approve it (the agent carries it out) or reject it with comments. */
export function PlanDecisionPanel({
  task,
  attemptIndex,
  plan,
  onDone,
}: {
  task: TaskWithAttempts;
  attemptIndex: number;
  plan: {
    explanation: string | null;
    steps: { step: string; status: "pending" | "in_progress" | "completed" }[];
  } | null;
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client } = useApi();
  const [comment, setComment] = useState("");
  const { busy, error, run } = useAction();
  const decide = async (approve: boolean) => {
    await run(async () => {
      const body = { attempt: attemptIndex, ...(comment.trim() ? { comment: comment.trim() } : {}) };
      onDone(await client.call(approve ? "approvePlan" : "rejectPlan", { params: { id: task.id }, body }));
    });
  };
  return (
    <form
      className="panel panel-attention"
      aria-label="Review the plan"
      onSubmit={(e) => {
        e.preventDefault();
        void decide(true);
      }}
    >
      <h3>The agent proposes a plan</h3>
      {plan && <PlanCard explanation={plan.explanation} steps={plan.steps} />}
      <label className="field">
        <span>Comments (optional)</span>
        <textarea
          aria-label="Plan comments"
          rows={2}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
          onKeyDown={submitOnModEnter}
        />
      </label>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="row-gap">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          Approve plan
        </button>
        <button className="btn" type="button" disabled={busy} onClick={() => void decide(false)}>
          Reject plan
        </button>
      </div>
    </form>
  );
}
