import type { PlanStep } from "@cadre/protocol";

const ICON: Record<PlanStep["status"], string> = { pending: "○", in_progress: "◐", completed: "●" };

export function PlanCard({
  explanation,
  steps,
  title = "Plan",
}: {
  explanation: string | null;
  steps: PlanStep[];
  title?: string;
}) {
  const done = steps.filter((s) => s.status === "completed").length;
  return (
    <section className="plan" aria-label={title}>
      <header className="plan-head">
        <strong>{title}</strong>
        <span className="muted">
          {done}/{steps.length} done
        </span>
      </header>
      {explanation && <p className="plan-expl">{explanation}</p>}
      <ol className="plan-steps">
        {steps.map((s, i) => (
          <li key={i} className={`step step-${s.status}`} data-status={s.status}>
            <span className="step-icon" aria-label={s.status.replace("_", " ")}>
              {ICON[s.status]}
            </span>
            <span>{s.step}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}
