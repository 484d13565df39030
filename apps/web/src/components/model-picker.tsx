import { useState } from "react";
import type { ModelList } from "@cadre/protocol";

const OTHER = "\u0000other";

/**
 * Chooses a model from the server's list (the default marked), or any other `provider/model`
 * by name; the server refuses a name its provider does not offer when the task is created.
 * `value` "" shows the server default as chosen.
 */
export function ModelPicker({
  models,
  value,
  onChange,
  exclude,
}: {
  models: ModelList | null;
  value: string;
  onChange: (model: string) => void;
  /** A model not to offer (the one that just failed). */
  exclude?: string;
}) {
  const listed = (models?.items ?? []).filter((m) => m.name !== exclude);
  const [other, setOther] = useState(value !== "" && !listed.some((m) => m.name === value));
  const selected = other ? OTHER : value || (listed.find((m) => m.isDefault)?.name ?? "");
  return (
    <>
      <select
        name="model"
        aria-label="Model"
        value={selected}
        onChange={(e) => {
          const next = e.target.value;
          setOther(next === OTHER);
          if (next !== OTHER) onChange(next);
        }}
      >
        {listed.length === 0 && <option value="">{models ? "No model configured" : "Loading models…"}</option>}
        {listed
          .filter((m) => m.source !== "provider")
          .map((m) => (
            <option key={m.name} value={m.name} disabled={!m.ready}>
              {m.name}
              {m.isDefault ? " (default)" : ""}
              {m.ready ? "" : " (not configured)"}
            </option>
          ))}
        {listed.some((m) => m.source === "provider") && (
          <optgroup label="Offered by the providers">
            {listed
              .filter((m) => m.source === "provider")
              .map((m) => (
                <option key={m.name} value={m.name}>
                  {m.name}
                </option>
              ))}
          </optgroup>
        )}
        <option value={OTHER}>Another model…</option>
      </select>
      {other && (
        <input
          name="model-name"
          aria-label="Model name"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          placeholder="provider/model, e.g. openai/gpt-5.1-codex"
        />
      )}
      {models?.problem && <small className="field-problem">{models.problem}</small>}
    </>
  );
}
