import { useEffect, useState, type FormEvent } from "react";
import { describeSelection, forgeNouns, type TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import type { ApproveChoice } from "../lib/use-hunk-pick.ts";
import { Modal } from "./modal.tsx";

type How = "merge" | "push" | "pr" | "local";

/** What the dialog says will land: the whole change or "2 of 3 hunks in 1 of 2 files". */
function SelectionNote({ choice }: { choice: ApproveChoice }) {
  if (choice.kind === "loading")
    return <p className="alert">The diff is still loading: wait for it, so your choice of hunks covers every file.</p>;
  if (choice.kind === "none")
    return (
      <p className="alert alert-error">
        No hunk is accepted in the Diff tab: accept at least one, or reject the task instead.
      </p>
    );
  if (choice.kind === "part")
    return (
      <p className="selection-note" data-testid="approve-selection">
        Delivers <strong>{describeSelection(choice.counts)}</strong>, the hunks you accepted in the Diff tab, as one
        commit. Skipped hunks are left out.
      </p>
    );
  return (
    <p className="selection-note muted" data-testid="approve-selection">
      Delivers the whole change{choice.counts ? ` (${describeSelection(choice.counts)})` : ""} as one commit. To deliver
      only some hunks, skip the others in the Diff tab first.
    </p>
  );
}

const capitalised = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** The forge the task's repo is on and what it calls a change request (null: none, so none can be opened from Cadre). */
function useRepoForge(repoId: string): { name: string; noun: string } | null {
  const { client } = useApi();
  const [forge, setForge] = useState<{ name: string; noun: string } | null>(null);
  useEffect(() => {
    client.call("getRepo", { params: { id: repoId } }).then(
      (repo) =>
        setForge(repo.forge ? { name: repo.forge.name, noun: forgeNouns(repo.forge.kind).changeRequest } : null),
      () => setForge(null),
    );
  }, [client, repoId]);
  return forge;
}

/**
 * Approves one attempt: merge into a branch, push it as a branch, open a pull request on the
 * repo's forge, or record that it was pulled locally.
 */
export function ApproveDialog({
  task,
  attemptIndex,
  choice,
  onClose,
  onDone,
}: {
  task: TaskWithAttempts;
  attemptIndex: number;
  /** The hunks accepted in the Diff tab. */
  choice: ApproveChoice;
  onClose: () => void;
  onDone: (t: TaskWithAttempts) => void;
}) {
  const { client } = useApi();
  const [how, setHow] = useState<How>("merge");
  const [mergeInto, setMergeInto] = useState(task.baseRef);
  const [branch, setBranch] = useState("");
  const [draft, setDraft] = useState(false);
  const [prBase, setPrBase] = useState(task.baseRef);
  const forge = useRepoForge(task.repoId);
  const { busy, error, run } = useAction();
  const deliverable = choice.kind === "whole" || choice.kind === "part";

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    await run(async () => {
      const selection = choice.kind === "part" ? { selection: { patch: choice.patch, head: choice.head } } : {};
      const body =
        how === "merge"
          ? { attempt: attemptIndex, merge: mergeInto.trim(), ...selection }
          : how === "push"
            ? { attempt: attemptIndex, pushBranch: branch.trim() || null, ...selection }
            : how === "pr"
              ? { attempt: attemptIndex, pullRequest: { draft, base: prBase.trim() || task.baseRef }, ...selection }
              : {
                  attempt: attemptIndex,
                  pulledLocally: true as const,
                  ...(choice.kind === "part" ? { selected: choice.counts } : {}),
                };
      onDone(await client.call("approveTask", { params: { id: task.id }, body }));
      onClose();
    });
  };

  return (
    <Modal title={`Approve attempt ${attemptIndex}`} onClose={onClose}>
      <form className="form" onSubmit={submit} aria-label="Approve">
        <SelectionNote choice={choice} />
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
              <p className="muted small">
                One commit on top of the branch's head, titled after the task and authored by {task.createdBy}.
              </p>
            </div>
          )}
          <label className="choice">
            <input type="radio" name="how" checked={how === "push"} onChange={() => setHow("push")} />
            <span>
              <strong>Push as a branch</strong> to open a {forge?.noun ?? "pull request"} yourself
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
              <p className="muted small">
                A new branch (or the one Cadre pushed for this task). Cadre never pushes over a branch it did not
                create.
              </p>
            </div>
          )}
          {forge && (
            <label className="choice">
              <input type="radio" name="how" checked={how === "pr"} onChange={() => setHow("pr")} />
              <span>
                <strong>Create {forge.noun}</strong> on {forge.name}
              </span>
            </label>
          )}
          {forge && how === "pr" && (
            <div className="choice-detail">
              <label className="field">
                <span>Base branch</span>
                <input
                  aria-label={`${capitalised(forge.noun)} base`}
                  value={prBase}
                  onChange={(e) => setPrBase(e.target.value)}
                />
              </label>
              <label className="check">
                <input type="checkbox" checked={draft} onChange={(e) => setDraft(e.target.checked)} /> Open as a draft
              </label>
              <p className="muted small">
                Pushed to <code>cadre/…</code> and opened with the task's title, its summary, the files changed and the
                test result. Follow-ups push to the same branch; merging or closing it on {forge.name} ends the review.
              </p>
            </div>
          )}
          <label className="choice">
            <input type="radio" name="how" checked={how === "local"} onChange={() => setHow("local")} />
            <span>
              <strong>I pulled it locally</strong> (with <code>cadre apply</code>, a patch, or VS Code)
              {choice.kind === "part" && <> — only part of it: the review stays open</>}
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
          <button className="btn btn-primary" type="submit" disabled={busy || !deliverable}>
            {busy
              ? "Approving…"
              : how === "pr"
                ? `Create ${forge?.noun ?? "pull request"}`
                : choice.kind === "part"
                  ? `Approve ${choice.counts.hunks} hunk${choice.counts.hunks === 1 ? "" : "s"}`
                  : "Approve"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
