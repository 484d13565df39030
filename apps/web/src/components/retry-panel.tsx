import { useState } from "react";
import type { TaskWithAttempts } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { useModels } from "../lib/use-models.ts";
import { navigate } from "../lib/router.ts";
import { ModelPicker } from "./model-picker.tsx";

/** A failed task starts again as a new task on another model: same prompt, repo, branch, environment and mode. */
export function RetryPanel({ task }: { task: TaskWithAttempts }) {
  const { client } = useApi();
  const { models } = useModels();
  const [model, setModel] = useState("");
  const { busy, error, setError, run } = useAction();
  const fallback = models?.items.find((m) => m.ready && m.name !== task.model)?.name ?? "";
  const chosen = model || fallback;
  const retry = () =>
    run(async () => {
      if (!chosen) return setError("Choose the model to retry with.");
      const again = await client.call("createTask", {
        body: {
          prompt: task.prompt,
          repo: task.repoId,
          baseRef: task.baseRef,
          environment: task.environmentId,
          attempts: task.attemptCount,
          mode: task.mode,
          title: task.title,
          model: chosen,
        },
      });
      navigate(`/tasks/${again.id}`);
    });
  return (
    <div className="retry" aria-label="Retry with another model" role="group">
      <span className="muted">Retry with another model:</span>
      <ModelPicker models={models} value={chosen} onChange={setModel} exclude={task.model} />
      <button className="btn" type="button" disabled={busy} onClick={() => void retry()}>
        {busy ? "Starting…" : "Retry"}
      </button>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
