import { useState, type FormEvent } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { errorMessage } from "../lib/error-message.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";
import { Modal } from "./modal.tsx";

export function RejectDialog({
  task,
  onClose,
  onDone,
}: {
  task: TaskWithAttempts;
  onClose: () => void;
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client, check } = useApi();
  const [reason, setReason] = useState("");
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      onDone(
        await client.call("rejectTask", {
          params: { id: task.id },
          body: reason.trim() ? { reason: reason.trim() } : {},
        }),
      );
      onClose();
    } catch (err) {
      check(err);
      setError(errorMessage(err));
    }
  };
  return (
    <Modal title="Reject the task" onClose={onClose}>
      <form className="form" onSubmit={submit} aria-label="Reject">
        <p className="muted">Nothing is delivered; the task stays in the history as rejected.</p>
        <label className="field">
          <span>Reason (optional)</span>
          <textarea
            aria-label="Reason"
            rows={3}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            onKeyDown={submitOnModEnter}
          />
        </label>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button className="btn" type="button" onClick={onClose}>
            Keep it
          </button>
          <button className="btn btn-danger" type="submit">
            Reject
          </button>
        </div>
      </form>
    </Modal>
  );
}
