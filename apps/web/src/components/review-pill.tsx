import { forgeNouns, type Delivery, type Task } from "@cadre/protocol";

function deliveredAs(delivery: Delivery | null): string {
  switch (delivery?.kind) {
    case "merge":
      return "merged";
    case "push_branch":
      return "pushed";
    case "pull_request":
      return `${forgeNouns(delivery.forgeKind).changeRequest} ${delivery.state}`;
    default:
      return "pulled locally";
  }
}

/** How a task's review ended, for lists: merged, pushed, a pull request, pulled locally (whole or in part), rejected. */
export function ReviewPill({ review }: { review: Task["review"] }) {
  if (review.state === "rejected") return <span className="pill pill-rejected">rejected</span>;
  if (review.state === "pending")
    return review.pulled ? (
      <span className="pill" title="part of the change was pulled into a local working tree; the review is open">
        pulled {review.pulled.selected.hunks} of {review.pulled.selected.totalHunks} hunks
      </span>
    ) : null;
  return <span className="pill pill-applied">{deliveredAs(review.delivery)}</span>;
}
