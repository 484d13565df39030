import { useState } from "react";

export type SecretChanges = Record<string, string | null>;

/**
 * Secrets are write-only: stored ones show as a masked placeholder and can be replaced or
 * removed, never read back. New values live only in this form until saved.
 */
export function SecretsEditor({
  names,
  changes,
  onChange,
}: {
  names: string[];
  changes: SecretChanges;
  onChange: (c: SecretChanges) => void;
}) {
  const [newName, setNewName] = useState("");
  const [newValue, setNewValue] = useState("");
  const [replacing, setReplacing] = useState<string | null>(null);
  const set = (name: string, value: string | null | undefined) => {
    const next = { ...changes };
    if (value === undefined) delete next[name];
    else next[name] = value;
    onChange(next);
  };
  const pendingNew = Object.keys(changes).filter((n) => !names.includes(n));
  return (
    <div className="secrets">
      <ul className="secret-list" aria-label="Secrets">
        {names.map((n) => {
          const c = changes[n];
          return (
            <li key={n} className="secret-row" data-secret={n}>
              <code className="secret-name">{n}</code>
              {c === null ? (
                <span className="text-bad">will be removed</span>
              ) : replacing === n || typeof c === "string" ? (
                <input
                  type="password"
                  autoComplete="new-password"
                  aria-label={`New value for ${n}`}
                  value={c ?? ""}
                  onChange={(e) => set(n, e.target.value || undefined)}
                  placeholder="new value"
                />
              ) : (
                <span className="secret-mask" aria-label={`${n} is set; its value is hidden`}>
                  ••••••••
                </span>
              )}
              <span className="row-gap">
                {c === null ? (
                  <button type="button" className="btn btn-sm" onClick={() => set(n, undefined)}>
                    Keep
                  </button>
                ) : (
                  <>
                    {replacing !== n && typeof c !== "string" && (
                      <button
                        type="button"
                        className="btn btn-sm"
                        onClick={() => setReplacing(n)}
                        aria-label={`Replace ${n}`}
                      >
                        Replace
                      </button>
                    )}
                    <button
                      type="button"
                      className="btn btn-sm btn-danger-ghost"
                      onClick={() => set(n, null)}
                      aria-label={`Remove ${n}`}
                    >
                      Remove
                    </button>
                  </>
                )}
              </span>
            </li>
          );
        })}
        {pendingNew.map((n) => (
          <li key={n} className="secret-row">
            <code className="secret-name">{n}</code>
            <span className="secret-mask">•••••••• (new, saved with the form)</span>
            <button type="button" className="btn btn-sm" onClick={() => set(n, undefined)} aria-label={`Discard ${n}`}>
              Discard
            </button>
          </li>
        ))}
        {names.length === 0 && pendingNew.length === 0 && <li className="muted">No secrets.</li>}
      </ul>
      <div className="secret-add">
        <input
          aria-label="Secret name"
          placeholder="NAME"
          value={newName}
          onChange={(e) => setNewName(e.target.value.toUpperCase().replace(/[^A-Z0-9_]/g, "_"))}
        />
        <input
          aria-label="Secret value"
          type="password"
          autoComplete="new-password"
          placeholder="value"
          value={newValue}
          onChange={(e) => setNewValue(e.target.value)}
        />
        <button
          type="button"
          className="btn btn-sm"
          disabled={!newName || !newValue}
          onClick={() => {
            set(newName, newValue);
            setNewName("");
            setNewValue("");
          }}
        >
          Add secret
        </button>
      </div>
      <p className="muted small">
        Secrets reach the setup script only, are encrypted at rest and redacted from every log. Nobody can read them
        back here.
      </p>
    </div>
  );
}
