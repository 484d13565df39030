import type { z } from "zod";
import type { Task, TaskWithAttempts } from "@cadre/protocol";
import type { TaskOutput, TaskRowOutput } from "./output-schemas.ts";

/** The fields an agent needs to follow a task, without the bookkeeping (usage per attempt, seqs…). */
export function taskView(task: TaskWithAttempts): TaskOutput {
  const delivery = task.review.delivery;
  return {
    id: task.id,
    title: task.title,
    repo: task.repoName,
    baseRef: task.baseRef,
    mode: task.mode,
    status: task.status,
    review: task.review.state,
    delivery: delivery
      ? {
          kind: delivery.kind,
          branch: delivery.kind === "pulled_locally" ? null : delivery.branch,
          commit: delivery.kind === "pulled_locally" ? null : delivery.commit,
        }
      : null,
    attempts: task.attempts.map((attempt) => ({
      index: attempt.index,
      status: attempt.status,
      waitingFor: attempt.waitingFor,
      summary: attempt.summary,
      failure: attempt.failureReason ? `${attempt.failureReason}: ${attempt.failureMessage ?? ""}` : null,
      testsPassed: attempt.testsPassed,
      changes: attempt.changes,
    })),
  };
}

export function taskRowView(task: Task): z.infer<typeof TaskRowOutput> {
  return {
    id: task.id,
    title: task.title,
    repo: task.repoName,
    status: task.status,
    mode: task.mode,
    review: task.review.state,
    createdAt: task.createdAt,
  };
}
