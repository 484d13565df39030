import { statusLabel } from "../lib/format.ts";

export function StatusBadge({ status, waitingFor }: { status: string; waitingFor?: string | null }) {
  const label =
    status === "waiting_for_input" && waitingFor === "plan_approval" ? "Plan to review" : statusLabel(status);
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      <span className="badge-dot" aria-hidden />
      {label}
    </span>
  );
}
