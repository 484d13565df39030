import type { Task, TaskWithAttempts } from "@cadre/protocol";

/** The fields an agent needs to follow a task, without the bookkeeping (usage per attempt, seqs…). */
export function taskView(t: TaskWithAttempts) {
  return {
    id: t.id,
    title: t.title,
    repo: t.repoName,
    baseRef: t.baseRef,
    mode: t.mode,
    status: t.status,
    review: t.review.state,
    attempts: t.attempts.map((a) => ({
      index: a.index,
      status: a.status,
      waitingFor: a.waitingFor,
      summary: a.summary,
      failure: a.failureReason ? `${a.failureReason}: ${a.failureMessage ?? ""}` : null,
      testsPassed: a.testsPassed,
    })),
  };
}

export function taskRowView(t: Task) {
  return {
    id: t.id,
    title: t.title,
    repo: t.repoName,
    status: t.status,
    mode: t.mode,
    review: t.review.state,
    createdAt: t.createdAt,
  };
}
