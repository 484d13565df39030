import type { Attempt, TaskWithAttempts } from "@cadre/protocol";

/**
 * The attempt a user means when they name only the task: the given index, else the one the
 * review chose, the only one, the first completed one, or the first.
 */
export function chosenAttempt(task: TaskWithAttempts, index?: number): Attempt | undefined {
  if (index !== undefined) return task.attempts.find((a) => a.index === index);
  return (
    task.attempts.find((a) => a.id === task.review.attemptId) ??
    (task.attempts.length === 1 ? task.attempts[0] : undefined) ??
    task.attempts.find((a) => a.status === "completed") ??
    task.attempts[0]
  );
}
