import { statusLabel } from "../lib/format.ts";

export function StatusBadge({ status, waitingFor }: { status: string; waitingFor?: string | null }) {
  const label = statusLabel(status, waitingFor);
  return (
    <span className={`badge badge-${status}`} data-status={status}>
      <span className="badge-dot" aria-hidden />
      {label}
    </span>
  );
}
