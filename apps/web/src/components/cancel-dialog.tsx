import type { TaskWithAttempts } from "@cadre/protocol";
import { isTerminal } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { Modal } from "./modal.tsx";

/** Cancelling stops work that cannot be resumed: ask first, and say what is kept. */
export function CancelDialog({
  task,
  onClose,
  onDone,
}: {
  task: TaskWithAttempts;
  onClose: () => void;
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client } = useApi();
  const { busy, error, run } = useAction();
  const active = task.attempts.filter((a) => !isTerminal(a.status)).length;
  const cancel = () =>
    run(async () => {
      onDone(await client.call("cancelTask", { params: { id: task.id }, body: {} }));
      onClose();
    });
  return (
    <Modal title="Cancel the task?" onClose={onClose}>
      <div className="form">
        <p>
          {active > 1 ? `Its ${active} running attempts stop` : "The agent stops"} within a second: running commands and
          model calls are ended. The changes made so far are kept and can still be reviewed, but the run cannot be
          resumed; a follow-up starts a new turn.
        </p>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button className="btn" type="button" onClick={onClose} autoFocus>
            Keep it running
          </button>
          <button className="btn btn-danger" type="button" disabled={busy} onClick={() => void cancel()}>
            Cancel the task
          </button>
        </div>
      </div>
    </Modal>
  );
}
