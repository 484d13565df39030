import { memo, useState } from "react";
import type { ActivityItem } from "../lib/activity.ts";
import { CommandBlock } from "./command-block.tsx";
import { PlanCard } from "./plan-card.tsx";
import { StatusBadge } from "./status-badge.tsx";
import { Link } from "../lib/link.tsx";
import { Markdown } from "./markdown.tsx";

const USER_LABEL: Record<string, string> = {
  prompt: "Prompt",
  followup: "Follow-up",
  answer: "Your answer",
  plan_approved: "Plan approved",
  plan_rejected: "Plan rejected",
  resolve_conflicts: "Resolve conflicts",
  message: "Your message, read while it ran",
  stop: "You asked it to stop and ask",
};

function Collapsible({ label, text, className }: { label: string; text: string; className: string }) {
  const [open, setOpen] = useState(false);
  return (
    <div className={className}>
      <button className="link-btn" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "▾" : "▸"} {label}
      </button>
      {open && <pre className="pre-block">{text}</pre>}
    </div>
  );
}

function ItemBody({ item }: { item: ActivityItem }) {
  switch (item.kind) {
    case "user":
      return (
        <div className="act-user">
          <div className="act-label">{USER_LABEL[item.userKind] ?? item.userKind}</div>
          <div className="bubble">{item.text}</div>
        </div>
      );
    case "message":
      return (
        <div className="act-msg">
          <div className="act-label">Agent</div>
          <Markdown text={item.text} />
        </div>
      );
    case "reasoning":
      return <Collapsible className="act-reasoning" label="Reasoning" text={item.text} />;
    case "command":
      return <CommandBlock item={item} rev={item.rev} />;
    case "edit":
      return (
        <div className={`act-edit${item.isError ? " act-edit-bad" : ""}`}>
          <div className="edit-head">
            <span className="edit-icon" aria-hidden>
              ✎
            </span>
            <span>{item.done ? (item.isError ? "Edit failed" : "Edited") : "Editing"}</span>
            {item.files.map((f) => (
              <code key={f} className="file-chip">
                {f}
              </code>
            ))}
          </div>
          {item.isError && item.output && <pre className="pre-block pre-bad">{item.output}</pre>}
          <Collapsible className="edit-detail" label="Show the edit" text={item.detail} />
        </div>
      );
    case "tool":
      return (
        <Collapsible
          className="act-tool"
          label={`Tool ${item.name}${item.done ? "" : " (running)"}`}
          text={`${item.input}\n\n${item.output}`}
        />
      );
    case "plan":
      return <PlanCard explanation={item.explanation} steps={item.steps} title="Plan updated" />;
    case "question":
      return (
        <div className="act-question" data-answered={item.answer !== null}>
          <div className="act-label">Question from the agent</div>
          {item.questions.map((q, i) => (
            <div key={i} className="q">
              <p className="q-text">{q.question}</p>
              <div className="q-options muted">Suggested: {q.options.join(" · ")}</div>
            </div>
          ))}
          {item.answer !== null && (
            <div className="q-answer">
              Answered: <strong>{item.answer}</strong>
            </div>
          )}
        </div>
      );
    case "status":
      return (
        <div className="act-status">
          <time className="act-time" dateTime={item.at}>
            {new Date(item.at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })}
          </time>
          <StatusBadge status={item.status} waitingFor={item.waitingFor} />
          {item.reason && <span className="muted">{item.reason.replace("_", " ")}</span>}
          {item.message && <span className={item.status === "failed" ? "text-bad" : "muted"}>{item.message}</span>}
        </div>
      );
    case "turn":
      return item.phase === "started" ? (
        <div className="act-divider">
          <span>Turn {item.turn}</span>
        </div>
      ) : (
        <div className="act-turn-done muted">
          Turn {item.turn} finished: {item.filesChanged} file{item.filesChanged === 1 ? "" : "s"} changed,{" "}
          <span className="add">+{item.additions}</span> <span className="del">−{item.deletions}</span>
        </div>
      );
    case "notice":
      return (
        <div
          className={`alert alert-${item.level === "error" ? "error" : item.level === "warning" ? "warning" : "info"}`}
        >
          {item.message}
        </div>
      );
    case "setup":
      return (
        <Collapsible
          className="act-setup"
          label={`${item.phase === "setup" ? "Setup" : "Maintenance"} script output`}
          text={item.output}
        />
      );
    case "conflict":
      return (
        <div className="alert alert-warning">
          Potential conflict with <Link href={`/tasks/${item.otherTaskId}`}>{item.otherTaskId}</Link>: both expect to
          touch{" "}
          {item.paths.map((p) => (
            <code key={p} className="file-chip">
              {p}
            </code>
          ))}
        </div>
      );
    case "network":
      return (
        <div className="alert alert-warning">
          Network blocked: {item.method} {item.host} ({item.reason})
        </div>
      );
    case "compaction":
      return (
        <div className="muted small">
          Context compacted: {item.tokensBefore} → {item.tokensAfter} tokens
        </div>
      );
    case "paths":
      return null;
  }
}

/** One feed entry; re-renders only when the item's `rev` changes (items are updated in place). */
export const ActivityItemView = memo(function ActivityItemView({ item }: { item: ActivityItem; rev: number }) {
  return (
    <div className={`act act-k-${item.kind}`} data-kind={item.kind} data-seq={item.seq}>
      <ItemBody item={item} />
    </div>
  );
});
