import type { Task } from "@cadre/protocol";

/** How a task's review ended, for lists: merged, pushed, pulled locally (whole or in part), rejected. */
export function ReviewPill({ review }: { review: Task["review"] }) {
  if (review.state === "rejected") return <span className="pill pill-rejected">rejected</span>;
  if (review.state === "pending")
    return review.pulled ? (
      <span className="pill" title="part of the change was pulled into a local working tree; the review is open">
        pulled {review.pulled.selected.hunks} of {review.pulled.selected.totalHunks} hunks
      </span>
    ) : null;
  const kind = review.delivery?.kind;
  const label = kind === "merge" ? "merged" : kind === "push_branch" ? "pushed" : "pulled locally";
  return <span className="pill pill-applied">{label}</span>;
}
