import { useState, type FormEvent } from "react";
import { DEFAULT_LIMITS, type Environment, type Limits, type NetworkPolicy } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { useRepos } from "../lib/use-repos.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";
import { SecretsEditor, type SecretChanges } from "./secrets-editor.tsx";

const LIMIT_FIELDS: { key: keyof Limits; label: string; unit: string; scale: number }[] = [
  { key: "commandTimeoutMs", label: "Command timeout", unit: "s", scale: 1000 },
  { key: "attemptTimeoutMs", label: "Attempt timeout", unit: "min", scale: 60_000 },
  { key: "memoryMb", label: "Memory", unit: "MB", scale: 1 },
  { key: "maxProcesses", label: "Processes", unit: "", scale: 1 },
  { key: "diskMb", label: "Disk", unit: "MB", scale: 1 },
  { key: "outputBytes", label: "Output per command", unit: "KB", scale: 1024 },
];

function varsToText(v: Record<string, string>): string {
  return Object.entries(v)
    .map(([k, val]) => `${k}=${val}`)
    .join("\n");
}

function textToVars(t: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of t.split("\n")) {
    if (!line.trim() || line.trim().startsWith("#")) continue;
    const i = line.indexOf("=");
    if (i < 0) out[line.trim()] = "";
    else out[line.slice(0, i).trim()] = line.slice(i + 1);
  }
  return out;
}

/** Creates or edits an environment; saves only what the form holds (secrets only when changed). */
export function EnvironmentForm({
  environment,
  onSaved,
}: {
  environment: Environment | null;
  onSaved: (e: Environment) => void;
}) {
  const { client } = useApi();
  const { repos } = useRepos();
  const e = environment;
  const [name, setName] = useState(e?.name ?? "");
  const [repoId, setRepoId] = useState(e?.repoId ?? "");
  const [image, setImage] = useState(e?.image ?? "");
  const [setupScript, setSetup] = useState(e?.setupScript ?? "");
  const [maintenanceScript, setMaintenance] = useState(e?.maintenanceScript ?? "");
  const [testCommand, setTestCommand] = useState(e?.testCommand ?? "");
  const [instructions, setInstructions] = useState(e?.instructions ?? "");
  const [vars, setVars] = useState(varsToText(e?.variables ?? {}));
  const [secrets, setSecrets] = useState<SecretChanges>({});
  const [network, setNetwork] = useState<NetworkPolicy>(
    e?.networkPolicy ?? { mode: "off", allow: [], readOnlyMethods: false },
  );
  const [allowText, setAllowText] = useState((e?.networkPolicy.allow ?? []).join("\n"));
  const [limits, setLimits] = useState<Limits>(e?.limits ?? DEFAULT_LIMITS);
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useAction();

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setSaved(false);
    const body = {
      name: name.trim(),
      repoId: repoId || null,
      image: image.trim() || null,
      setupScript,
      maintenanceScript,
      testCommand,
      instructions,
      variables: textToVars(vars),
      networkPolicy: {
        ...network,
        allow: allowText
          .split(/[\n,]/)
          .map((s) => s.trim())
          .filter(Boolean),
      },
      limits,
      ...(Object.keys(secrets).length ? { secrets } : {}),
    };
    await run(async () => {
      const result = e
        ? await client.call("updateEnvironment", { params: { id: e.id }, body })
        : await client.call("createEnvironment", { body });
      setSecrets({});
      setSaved(true);
      onSaved(result);
    });
  };

  return (
    <form className="card form env-form" onSubmit={submit} aria-label="Environment" onKeyDown={submitOnModEnter}>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input
            aria-label="Environment name"
            value={name}
            onChange={(x) => setName(x.target.value)}
            placeholder="e.g. node-app"
          />
        </label>
        <label className="field">
          <span>Repo</span>
          <select aria-label="Environment repo" value={repoId} onChange={(x) => setRepoId(x.target.value)}>
            <option value="">Any repo</option>
            {repos?.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        <span>
          Image{" "}
          <small className="muted">
            (the sandbox's system: oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, NAME:TAG, or devcontainer;
            empty: the runner's own)
          </small>
        </span>
        <input
          className="code-input"
          aria-label="Image"
          value={image}
          onChange={(x) => setImage(x.target.value)}
          placeholder="debian:bookworm"
          spellCheck={false}
        />
      </label>
      <label className="field">
        <span>
          Setup script <small className="muted">(runs with network and secrets; its result is cached)</small>
        </span>
        <textarea
          className="code-input"
          aria-label="Setup script"
          rows={5}
          value={setupScript}
          onChange={(x) => setSetup(x.target.value)}
          placeholder="npm ci"
          spellCheck={false}
        />
      </label>
      <label className="field">
        <span>
          Maintenance script <small className="muted">(runs when a cached setup is reused)</small>
        </span>
        <textarea
          className="code-input"
          aria-label="Maintenance script"
          rows={3}
          value={maintenanceScript}
          onChange={(x) => setMaintenance(x.target.value)}
          placeholder="npm install"
          spellCheck={false}
        />
      </label>
      <div className="grid-2">
        <label className="field">
          <span>Test command</span>
          <input
            className="code-input"
            aria-label="Test command"
            value={testCommand}
            onChange={(x) => setTestCommand(x.target.value)}
            placeholder="npm test"
          />
        </label>
        <label className="field">
          <span>
            Variables <small className="muted">(NAME=value, one a line)</small>
          </span>
          <textarea
            className="code-input"
            aria-label="Variables"
            rows={3}
            value={vars}
            onChange={(x) => setVars(x.target.value)}
            spellCheck={false}
          />
        </label>
      </div>
      <label className="field">
        <span>Instructions for the agent</span>
        <textarea
          aria-label="Instructions"
          rows={3}
          value={instructions}
          onChange={(x) => setInstructions(x.target.value)}
        />
      </label>
      <fieldset className="field">
        <legend>Secrets</legend>
        <SecretsEditor names={e?.secretNames ?? []} changes={secrets} onChange={setSecrets} />
      </fieldset>
      <fieldset className="field">
        <legend>Agent network</legend>
        <div className="segmented" role="radiogroup" aria-label="Network policy">
          {(["off", "allowlist", "on"] as const).map((m) => (
            <label key={m} className={network.mode === m ? "on" : ""}>
              <input
                type="radio"
                name="network"
                checked={network.mode === m}
                onChange={() => setNetwork({ ...network, mode: m })}
                aria-label={`Network ${m}`}
              />
              {m === "off" ? "Off" : m === "allowlist" ? "Allowlist" : "On"}
            </label>
          ))}
        </div>
        <p className="muted">
          {network.mode === "off"
            ? "No network for the agent. Setup still reaches the public internet and the hosts listed below."
            : network.mode === "allowlist"
              ? "Only the hosts listed below, through Cadre's proxy."
              : "Any public address through Cadre's proxy; never this machine's services or private addresses unless listed below."}
        </p>
        <label className="field">
          <span>
            {network.mode === "allowlist" ? "Allowed domains" : "Listed hosts"}{" "}
            <small className="muted">
              (one a line, *.example.com allowed; a host named literally may be a private address)
            </small>
          </span>
          <textarea
            className="code-input"
            aria-label="Allowed domains"
            rows={3}
            value={allowText}
            onChange={(x) => setAllowText(x.target.value)}
            spellCheck={false}
          />
        </label>
        {network.mode !== "off" && (
          <label className="check">
            <input
              type="checkbox"
              checked={network.readOnlyMethods}
              onChange={(x) => setNetwork({ ...network, readOnlyMethods: x.target.checked })}
            />{" "}
            Only GET, HEAD and OPTIONS
          </label>
        )}
      </fieldset>
      <fieldset className="field">
        <legend>Limits</legend>
        <div className="grid-3">
          {LIMIT_FIELDS.map((f) => (
            <label key={f.key} className="field">
              <span>
                {f.label}
                {f.unit ? ` (${f.unit})` : ""}
              </span>
              <input
                type="number"
                aria-label={f.label}
                min={1}
                value={Math.round(limits[f.key] / f.scale)}
                onChange={(x) => setLimits({ ...limits, [f.key]: Math.round(Number(x.target.value) * f.scale) })}
              />
            </label>
          ))}
        </div>
      </fieldset>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="alert alert-ok" role="status">
          Saved.
        </p>
      )}
      <div className="form-actions">
        <span className="muted small">
          <kbd>Ctrl</kbd>/<kbd>⌘</kbd> + <kbd>Enter</kbd> to save
        </span>
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Saving…" : e ? "Save changes" : "Create environment"}
        </button>
      </div>
    </form>
  );
}
