import { useState, type FormEvent } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { Modal } from "./modal.tsx";

type How = "merge" | "push" | "local";

/** Approves one attempt: merge into a branch, push it as a branch, or record that it was pulled locally. */
export function ApproveDialog({
  task,
  attemptIndex,
  onClose,
  onDone,
}: {
  task: TaskWithAttempts;
  attemptIndex: number;
  onClose: () => void;
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client } = useApi();
  const [how, setHow] = useState<How>("merge");
  const [mergeInto, setMergeInto] = useState(task.baseRef);
  const [rebase, setRebase] = useState(false);
  const [branch, setBranch] = useState("");
  const { busy, error, run } = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const body =
        how === "merge"
          ? { attempt: attemptIndex, merge: mergeInto.trim(), rebase }
          : how === "push"
            ? { attempt: attemptIndex, pushBranch: branch.trim() || null }
            : { attempt: attemptIndex, pulledLocally: true as const };
      onDone(await client.call("approveTask", { params: { id: task.id }, body }));
      onClose();
    });
  };

  return (
    <Modal title={`Approve attempt ${attemptIndex}`} onClose={onClose}>
      <form className="form" onSubmit={submit} aria-label="Approve">
        <fieldset className="choices">
          <legend className="sr-only">How to deliver</legend>
          <label className="choice">
            <input type="radio" name="how" checked={how === "merge"} onChange={() => setHow("merge")} />
            <span>
              <strong>Merge into a branch</strong> and push it to the origin
            </span>
          </label>
          {how === "merge" && (
            <div className="choice-detail">
              <label className="field">
                <span>Branch</span>
                <input
                  aria-label="Merge into branch"
                  value={mergeInto}
                  onChange={(e) => setMergeInto(e.target.value)}
                />
              </label>
              <label className="check">
                <input type="checkbox" checked={rebase} onChange={(e) => setRebase(e.target.checked)} /> Rebase first if
                the branch moved
              </label>
            </div>
          )}
          <label className="choice">
            <input type="radio" name="how" checked={how === "push"} onChange={() => setHow("push")} />
            <span>
              <strong>Push as a branch</strong> to open a pull request yourself
            </span>
          </label>
          {how === "push" && (
            <div className="choice-detail">
              <label className="field">
                <span>Branch name</span>
                <input
                  aria-label="Branch name"
                  value={branch}
                  onChange={(e) => setBranch(e.target.value)}
                  placeholder="cadre/… (chosen for you)"
                />
              </label>
            </div>
          )}
          <label className="choice">
            <input type="radio" name="how" checked={how === "local"} onChange={() => setHow("local")} />
            <span>
              <strong>I pulled it locally</strong> (with <code>cadre apply</code>, a patch, or VS Code)
            </span>
          </label>
        </fieldset>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button className="btn" type="button" onClick={onClose}>
            Cancel
          </button>
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Approving…" : "Approve"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
