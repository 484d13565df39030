import { useCallback, useMemo, useState } from "react";
import {
  changeRequestName,
  describeSelection,
  forgeNouns,
  isActive,
  isTerminal,
  type Event,
  type TaskWithAttempts,
} from "@cadre/protocol";
import { useTask } from "../lib/use-task.ts";
import { useAttemptActivity } from "../lib/use-attempt-activity.ts";
import { useAttemptDiff } from "../lib/use-attempt-diff.ts";
import { approveChoice, useHunkPick } from "../lib/use-hunk-pick.ts";
import { navigate, useLocation } from "../lib/router.ts";
import { useApi } from "../lib/api-context.tsx";
import { useShortcuts } from "../lib/use-shortcuts.ts";
import { errorMessage } from "../lib/error-message.ts";
import { formatCost, shortSha, statusLabel } from "../lib/format.ts";
import { RelativeTime } from "../components/relative-time.tsx";
import { Link } from "../lib/link.tsx";
import { StatusBadge } from "../components/status-badge.tsx";
import { ActivityFeed } from "../components/activity-feed.tsx";
import { DiffView } from "../components/diff-view.tsx";
import { AttemptsCompare } from "../components/attempts-compare.tsx";
import { AnswerPanel } from "../components/answer-panel.tsx";
import { PlanDecisionPanel } from "../components/plan-decision-panel.tsx";
import { ApproveDialog } from "../components/approve-dialog.tsx";
import { RejectDialog } from "../components/reject-dialog.tsx";
import { CancelDialog } from "../components/cancel-dialog.tsx";
import { FollowupForm } from "../components/followup-form.tsx";
import { SteerForm } from "../components/steer-form.tsx";
import { RetryPanel } from "../components/retry-panel.tsx";
import { Markdown } from "../components/markdown.tsx";
import { UsagePanel } from "../components/usage-panel.tsx";
import { ConflictsPanel } from "../components/conflicts-panel.tsx";
import { PlanCard } from "../components/plan-card.tsx";
import { useTitle } from "../lib/use-title.ts";

type Tab = "activity" | "diff" | "attempts" | "conflicts" | "usage" | "details";

function PulledLine({ task }: { task: TaskWithAttempts }) {
  const pulled = task.review.pulled;
  if (!pulled || task.review.state !== "pending") return null;
  const attempt = task.attempts.find((a) => a.id === pulled.attemptId);
  return (
    <div className="review-line review-pulled" role="status">
      Pulled locally{attempt && task.attempts.length > 1 ? ` from attempt ${attempt.index}` : ""}:{" "}
      {describeSelection(pulled.selected)}. The review is still open: approve, reject or follow up.
      <span className="muted">
        {" "}
        · by {pulled.by}, <RelativeTime iso={pulled.at} />
      </span>
    </div>
  );
}

/** A pull request Cadre opened keeps the review open until it is merged or closed on the forge. */
function OpenPullRequestLine({ task }: { task: TaskWithAttempts }) {
  const d = task.review.delivery;
  if (d?.kind !== "pull_request") return null;
  return (
    <div className="review-line review-pending" role="status">
      Opened as{" "}
      <a href={d.url} target="_blank" rel="noreferrer">
        {changeRequestName(forgeNouns(d.forgeKind), d.number)}
      </a>{" "}
      ({d.state}) from <strong className="mono">{d.branch}</strong> ({shortSha(d.commit)}). The review ends when it is
      merged or closed on {d.forge}; follow-ups push to the same branch.
    </div>
  );
}

function ReviewLine({ task }: { task: TaskWithAttempts }) {
  const r = task.review;
  if (r.state === "pending")
    return r.delivery?.kind === "pull_request" ? <OpenPullRequestLine task={task} /> : <PulledLine task={task} />;
  const attempt = task.attempts.find((a) => a.id === r.attemptId);
  const d = r.delivery;
  return (
    <div className={`review-line review-${r.state}`} role="status">
      {r.state === "rejected" ? (
        <>Rejected{r.reason ? `: ${r.reason}` : ""}</>
      ) : (
        <>
          Approved{attempt ? ` attempt ${attempt.index}` : ""}:{" "}
          {d?.kind === "merge" && (
            <>
              merged into <strong className="mono">{d.branch}</strong> ({shortSha(d.commit)})
            </>
          )}
          {d?.kind === "push_branch" && (
            <>
              pushed as branch <strong className="mono">{d.branch}</strong> ({shortSha(d.commit)})
            </>
          )}
          {d?.kind === "pulled_locally" && <>pulled into a local working tree</>}
          {d?.kind === "pull_request" && (
            <>
              opened as{" "}
              <a href={d.url} target="_blank" rel="noreferrer">
                {changeRequestName(forgeNouns(d.forgeKind), d.number)}
              </a>{" "}
              ({d.state}) from <strong className="mono">{d.branch}</strong> ({shortSha(d.commit)})
            </>
          )}
          {d?.selected && <> — {describeSelection(d.selected)}</>}
        </>
      )}
      {r.by && (
        <span className="muted">
          {" "}
          · by {r.by}
          {r.at && (
            <>
              , <RelativeTime iso={r.at} />
            </>
          )}
        </span>
      )}
    </div>
  );
}

export function TaskPage({ id }: { id: string }) {
  const { client, check } = useApi();
  const { query } = useLocation();
  const { task, error, refresh, setTask } = useTask(id);
  const [dialog, setDialog] = useState<"approve" | "reject" | "cancel" | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const tab = (query.get("tab") as Tab | null) ?? "activity";
  const attemptParam = Number(query.get("attempt") ?? "0");
  const selectedIndex = task
    ? task.attempts.some((a) => a.index === attemptParam)
      ? attemptParam
      : task.review.attemptId
        ? (task.attempts.find((a) => a.id === task.review.attemptId)?.index ?? 1)
        : 1
    : 1;
  const attempt = task?.attempts.find((a) => a.index === selectedIndex) ?? null;

  const onEvent = useCallback(
    (e: Event) => {
      // Status and turn changes alter the task's summary, cost and actions: fetch it again.
      if (e.type === "status" || e.type === "turn_completed") refresh();
    },
    [refresh],
  );
  const activity = useAttemptActivity(attempt?.id ?? null, onEvent);
  const turnParam = Number(query.get("turn") ?? "0");
  const diffTurn = attempt && turnParam >= 1 && turnParam <= attempt.turnCount ? turnParam : null;
  // Once opened, the diff stays loaded: the hunks picked there are what Approve delivers from any tab.
  const [diffOpened, setDiffOpened] = useState(false);
  if (tab === "diff" && !diffOpened) setDiffOpened(true);
  const diff = useAttemptDiff(diffOpened ? (attempt?.id ?? null) : null, `${attempt?.headCommit ?? ""}`, diffTurn);
  const hunks = useHunkPick(attempt?.id ?? "", attempt?.headCommit ?? null, diff, diffTurn === null);

  const go = useCallback(
    (next: { tab?: Tab; attempt?: number; turn?: number | null }) => {
      const q = new URLSearchParams(window.location.search);
      if (next.tab) q.set("tab", next.tab);
      if (next.attempt) q.set("attempt", String(next.attempt));
      if (next.turn !== undefined) {
        if (next.turn) q.set("turn", String(next.turn));
        else q.delete("turn");
      }
      navigate(`/tasks/${id}?${q.toString()}`, { replace: true });
    },
    [id],
  );
  useShortcuts(useMemo(() => ({ d: () => go({ tab: "diff" }), a: () => go({ tab: "activity" }) }), [go]));
  useTitle(task ? `${statusLabel(task.status)} · ${task.title}` : "Task");

  const act = async (fn: () => Promise<TaskWithAttempts>) => {
    setActionError(null);
    try {
      setTask(await fn());
    } catch (e) {
      check(e);
      setActionError(errorMessage(e));
    }
  };

  if (error && !task)
    return (
      <div className="page">
        <p className="alert alert-error" role="alert">
          {error}
        </p>
        <Link href="/tasks">Back to the tasks</Link>
      </div>
    );
  if (!task || !attempt)
    return (
      <div className="page">
        <p className="muted">Loading the task…</p>
      </div>
    );

  const active = !isTerminal(task.status) || task.attempts.some((a) => !isTerminal(a.status));
  const reviewable =
    task.review.state === "pending" &&
    attempt.status === "completed" &&
    attempt.headCommit !== null &&
    attempt.headCommit !== task.baseCommit;
  const waitingAnswer = attempt.status === "waiting_for_input" && attempt.waitingFor === "answer";
  const waitingPlan = attempt.status === "waiting_for_input" && attempt.waitingFor === "plan_approval";
  const openQuestion = waitingAnswer ? [...activity.log.items].reverse().find((i) => i.kind === "question") : undefined;
  const potentialCount = new Set([
    ...(task.potentialConflicts ?? []).map((c) => c.taskId),
    ...activity.log.conflicts.map((c) => c.otherTaskId),
  ]).size;
  const tabs: [Tab, string][] = [
    ["activity", "Activity"],
    ["diff", "Diff"],
    ...(task.attempts.length > 1 ? [["attempts", `Attempts (${task.attempts.length})`] as [Tab, string]] : []),
    ["conflicts", potentialCount ? `Conflicts (${potentialCount})` : "Conflicts"],
    ["usage", "Usage"],
    // On a phone the sidebar has no room: its content is this tab (hidden on wide screens).
    ["details", "Details"],
  ];

  const details = (
    <>
      <section className="panel">
        <h3>Prompt</h3>
        <p className="prompt-text">{task.prompt}</p>
      </section>
      {activity.log.plan && (
        <section className="panel">
          <PlanCard explanation={activity.log.plan.explanation} steps={activity.log.plan.steps} />
        </section>
      )}
      {attempt.summary && (
        <section className="panel">
          <h3>Summary</h3>
          <Markdown text={attempt.summary} />
        </section>
      )}
      {attempt.status === "failed" && (
        <section className="panel panel-bad">
          <h3>Failed{attempt.failureReason ? `: ${attempt.failureReason.replace(/_/g, " ")}` : ""}</h3>
          {attempt.failureMessage && <p>{attempt.failureMessage}</p>}
          {task.status === "failed" && <RetryPanel task={task} />}
        </section>
      )}
      {attempt.status === "cancelled" && (
        <section className="panel">
          <h3>Cancelled</h3>
          {attempt.failureMessage && <p>{attempt.failureMessage}</p>}
        </section>
      )}
      <section className="panel">
        <h3>Attempt {attempt.index}</h3>
        <dl className="kv">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={attempt.status} waitingFor={attempt.waitingFor} />
          </dd>
          <dt>Turns</dt>
          <dd>{attempt.turnCount}</dd>
          <dt>Tests</dt>
          <dd title={task.testCommand ?? "The environment names no test command"}>
            {task.testCommand === null
              ? "not configured"
              : attempt.testsPassed === null
                ? "not run yet"
                : attempt.testsPassed
                  ? "passed"
                  : "failed"}
          </dd>
          <dt>Cost</dt>
          <dd>{formatCost(attempt.usage.costUsd)}</dd>
          <dt>Head</dt>
          <dd className="mono">{shortSha(attempt.headCommit) || "—"}</dd>
        </dl>
      </section>
    </>
  );

  return (
    <div className="task-page" data-task-id={task.id} data-status={task.status} data-turns={attempt.turnCount}>
      <header className="task-head">
        <div className="task-head-main">
          <div className="crumbs">
            <Link href="/tasks">Tasks</Link> / <span className="mono">{task.id}</span>
          </div>
          <h1 className="task-title">{task.title}</h1>
          <div className="task-meta">
            <StatusBadge status={task.status} waitingFor={attempt.waitingFor} />
            <span>{task.repoName}</span>
            <span className="mono">
              {task.baseRef} @ {shortSha(task.baseCommit)}
            </span>
            <span>{task.mode} mode</span>
            <span className="mono">{task.model}</span>
            <span>
              <RelativeTime iso={task.createdAt} /> by {task.createdBy}
            </span>
            {task.origin?.kind === "automation" && (
              <Link href="/automations" className="pill" aria-label="Started by an automation">
                automation {task.origin.name}: {task.origin.detail}
              </Link>
            )}
            <span>{formatCost(task.usage.costUsd)}</span>
            {potentialCount > 0 && (
              <button className="pill pill-warn link-pill" onClick={() => go({ tab: "conflicts" })}>
                may conflict with {potentialCount} task{potentialCount === 1 ? "" : "s"}
              </button>
            )}
          </div>
          <ReviewLine task={task} />
        </div>
        <div className="task-actions" role="toolbar" aria-label="Task actions">
          {reviewable && (
            <button className="btn btn-primary" onClick={() => setDialog("approve")}>
              Approve{task.attempts.length > 1 ? ` attempt ${attempt.index}` : ""}
            </button>
          )}
          {task.review.state === "pending" && !active && (
            <button className="btn" onClick={() => setDialog("reject")}>
              Reject
            </button>
          )}
          {active && (
            <button className="btn btn-danger-ghost" onClick={() => setDialog("cancel")}>
              Cancel
            </button>
          )}
        </div>
      </header>
      {actionError && (
        <p className="alert alert-error" role="alert">
          {actionError}
        </p>
      )}
      {task.attempts.length > 1 && (
        <div className="attempt-tabs" role="tablist" aria-label="Attempt">
          {task.attempts.map((a) => (
            <button
              key={a.id}
              role="tab"
              aria-selected={a.index === selectedIndex}
              className={a.index === selectedIndex ? "on" : ""}
              onClick={() => go({ attempt: a.index })}
            >
              Attempt {a.index} <StatusBadge status={a.status} waitingFor={a.waitingFor} />
            </button>
          ))}
        </div>
      )}
      <nav className="tabs" role="tablist" aria-label="Task views">
        {tabs.map(([t, label]) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            className={`${tab === t ? "on" : ""}${t === "details" ? " narrow-only" : ""}`}
            onClick={() => go({ tab: t })}
          >
            {label}
          </button>
        ))}
      </nav>
      <div className="task-body">
        <section className="task-main">
          {waitingAnswer && openQuestion?.kind === "question" && (
            <AnswerPanel task={task} attemptIndex={attempt.index} questions={openQuestion.questions} onDone={setTask} />
          )}
          {waitingPlan && (
            <PlanDecisionPanel task={task} attemptIndex={attempt.index} plan={activity.log.plan} onDone={setTask} />
          )}
          {tab === "activity" && (
            <>
              {activity.error && (
                <p className="alert alert-error" role="alert">
                  {activity.error}
                </p>
              )}
              <ActivityFeed log={activity.log} version={activity.version} loading={activity.loading} />
              {isTerminal(attempt.status) && task.review.state !== "rejected" && (
                <FollowupForm task={task} attemptIndex={attempt.index} onDone={setTask} />
              )}
              {isActive(attempt.status) && <SteerForm task={task} attemptIndex={attempt.index} />}
            </>
          )}
          {tab === "diff" && (
            <DiffView
              key={`${attempt.id}:${diffTurn ?? "all"}`}
              taskId={task.id}
              attemptIndex={attempt.index}
              diff={diff}
              turns={attempt.turnCount}
              turn={diffTurn}
              onTurn={(t) => go({ turn: t })}
              selection={hunks.skipped}
              onSelection={hunks.setSkipped}
            />
          )}
          {tab === "attempts" && (
            <AttemptsCompare task={task} selected={selectedIndex} onSelect={(i) => go({ attempt: i })} />
          )}
          {tab === "conflicts" && (
            <ConflictsPanel
              task={task}
              potential={activity.log.conflicts}
              onResolve={() =>
                void act(() =>
                  client.call("followupTask", {
                    params: { id: task.id },
                    body: { resolveConflicts: true, attempt: attempt.index },
                  }),
                ).then(() => go({ tab: "activity" }))
              }
            />
          )}
          {tab === "usage" && <UsagePanel task={task} log={activity.log} />}
          {tab === "details" && <div className="details-tab">{details}</div>}
        </section>
        <aside className="task-side" aria-label="Task details">
          {details}
        </aside>
      </div>
      {dialog === "approve" && (
        <ApproveDialog
          task={task}
          attemptIndex={attempt.index}
          choice={approveChoice(hunks.pick)}
          onClose={() => setDialog(null)}
          onDone={setTask}
        />
      )}
      {dialog === "reject" && <RejectDialog task={task} onClose={() => setDialog(null)} onDone={setTask} />}
      {dialog === "cancel" && <CancelDialog task={task} onClose={() => setDialog(null)} onDone={setTask} />}
    </div>
  );
}
