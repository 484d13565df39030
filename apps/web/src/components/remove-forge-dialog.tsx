import type { Forge, Repo } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { Modal } from "./modal.tsx";

/** Removing a forge forgets its credentials; repos on it stay, as plain git repos: say so first. */
export function RemoveForgeDialog({
  forge,
  repos,
  onClose,
  onDone,
}: {
  forge: Forge;
  /** The repos on this forge. */
  repos: Repo[];
  onClose: () => void;
  onDone: () => void;
}) {
  const { client } = useApi();
  const { busy, error, run } = useAction();
  const remove = () =>
    run(async () => {
      // The person saw which repos use it: removing them from the forge is what they confirm.
      const query = repos.length > 0 ? { force: "true" as const } : {};
      await client.call("deleteForge", { params: { name: forge.name }, query });
      onDone();
      onClose();
    });
  return (
    <Modal title={`Remove forge ${forge.name}?`} onClose={onClose}>
      <div className="form">
        <p>
          Cadre forgets its credentials and webhook secret, and stops taking work from {forge.webUrl}.
          {repos.length > 0
            ? ` ${repos.map((repo) => repo.name).join(", ")} ${repos.length > 1 ? "stay as plain git repos" : "stays as a plain git repo"}: no more pull requests, mentions or reviews.`
            : " No repo uses it."}
        </p>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <button className="btn" type="button" onClick={onClose} autoFocus>
            Keep it
          </button>
          <button className="btn btn-danger" type="button" disabled={busy} onClick={() => void remove()}>
            Remove forge
          </button>
        </div>
      </div>
    </Modal>
  );
}
