import { useState, type FormEvent } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";

/**
 * Talk to a running attempt: a message reaches the agent before its next step without stopping
 * the run; "Stop and ask me" makes it stop at that step and wait for an answer.
 */
export function SteerForm({ task, attemptIndex }: { task: TaskWithAttempts; attemptIndex: number }) {
  const { client } = useApi();
  const [text, setText] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error, setError, run } = useAction();
  const send = (stop: boolean) =>
    run(async () => {
      await client.call("sendMessage", { params: { id: task.id }, body: { text, stop, attempt: attemptIndex } });
      setText("");
      setSent(
        stop
          ? "Asked to stop: the agent stops before its next step and asks you how to go on."
          : "Sent: the agent reads it before its next step.",
      );
    });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError("Write the message first (or use Stop and ask me).");
    await send(false);
  };
  return (
    <form className="followup steer" onSubmit={submit} aria-label="Message the agent">
      <textarea
        aria-label="Message to the running agent"
        rows={2}
        placeholder="Tell the agent something while it works… (Ctrl/⌘+Enter to send)"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setSent(null);
        }}
        onKeyDown={submitOnModEnter}
      />
      <div className="steer-actions">
        <button className="btn" type="submit" disabled={busy}>
          Send
        </button>
        <button className="btn btn-ghost" type="button" disabled={busy} onClick={() => void send(true)}>
          Stop and ask me
        </button>
      </div>
      {sent && (
        <p className="muted steer-sent" role="status">
          {sent}
        </p>
      )}
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
