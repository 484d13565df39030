import type { Task } from "@cadre/protocol";

export interface Notice {
  kind: "finished" | "failed" | "asks";
  taskId: string;
  message: string;
  /** Buttons to offer with the notice. */
  actions: string[];
}

/**
 * Whether a status change is worth interrupting the user for: a task that just finished, failed
 * or started waiting for input. Tasks seen for the first time (already in that state when the
 * view loaded) are not announced.
 */
export function noticeFor(prev: Task | undefined, next: Task): Notice | null {
  if (!prev || prev.status === next.status) return null;
  const name = `"${next.title}"`;
  switch (next.status) {
    case "completed":
      return next.mode === "code"
        ? {
            kind: "finished",
            taskId: next.id,
            message: `Cadre task ${name} finished: review its diff.`,
            actions: ["Open Diff", "Apply"],
          }
        : { kind: "finished", taskId: next.id, message: `Cadre task ${name} finished.`, actions: ["Show"] };
    case "failed":
    case "cancelled":
      return { kind: "failed", taskId: next.id, message: `Cadre task ${name} ${next.status}.`, actions: ["Show"] };
    case "waiting_for_input":
      return {
        kind: "asks",
        taskId: next.id,
        message: `Cadre task ${name} is waiting for your input.`,
        actions: ["Answer"],
      };
    default:
      return null;
  }
}
