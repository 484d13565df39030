import { useState, type FormEvent } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";

/** Another instruction for a finished attempt: it runs as a new turn on top of the attempt's changes. */
export function FollowupForm({
  task,
  attemptIndex,
  onDone,
}: {
  task: TaskWithAttempts;
  attemptIndex: number;
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client } = useApi();
  const [text, setText] = useState("");
  const { busy, error, setError, run } = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return setError("Write the follow-up instruction first.");
    await run(async () => {
      onDone(await client.call("followupTask", { params: { id: task.id }, body: { text, attempt: attemptIndex } }));
      setText("");
    });
  };
  return (
    <form className="followup" onSubmit={submit} aria-label="Follow-up">
      <textarea
        aria-label="Follow-up instruction"
        rows={2}
        placeholder={`Follow up on attempt ${attemptIndex}… (Ctrl/⌘+Enter to send)`}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={submitOnModEnter}
      />
      <button className="btn" type="submit" disabled={busy}>
        Send follow-up
      </button>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
