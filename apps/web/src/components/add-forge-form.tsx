import { useState, type FormEvent } from "react";
import { ForgeKind, type CreateForge, type Forge } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { forgeWebhookSteps } from "../lib/forge-webhook-steps.ts";
import { Modal } from "./modal.tsx";

interface Fields {
  name: string;
  kind: ForgeKind;
  apiUrl: string;
  webUrl: string;
  signIn: "token" | "app";
  token: string;
  appId: string;
  privateKey: string;
  installationId: string;
  webhookSecret: string;
  botName: string;
}

const EMPTY: Fields = {
  name: "",
  kind: "github",
  apiUrl: "",
  webUrl: "",
  signIn: "token",
  token: "",
  appId: "",
  privateKey: "",
  installationId: "",
  webhookSecret: "",
  botName: "",
};

/** The request body; the server validates it and checks the credentials against the forge. */
function requestBody(fields: Fields): CreateForge {
  const auth: CreateForge["auth"] =
    fields.signIn === "token"
      ? { kind: "token", token: fields.token }
      : {
          kind: "app",
          appId: fields.appId.trim(),
          privateKey: fields.privateKey,
          installationId: Number(fields.installationId.trim()),
        };
  return {
    name: fields.name.trim(),
    kind: fields.kind,
    apiUrl: fields.apiUrl.trim(),
    ...(fields.webUrl.trim() ? { webUrl: fields.webUrl.trim() } : {}),
    auth,
    webhookSecret: fields.webhookSecret,
    ...(fields.botName.trim() ? { botName: fields.botName.trim() } : {}),
  };
}

/** Shown once after adding: secrets are never returned, so this is the moment to set up the webhook. */
function Connected({ forge, onClose }: { forge: Forge; onClose: () => void }) {
  return (
    <div className="form" aria-label="Forge connected">
      <p>
        <strong>{forge.name}</strong> is connected; Cadre signs in as @{forge.botName}. Add repos on it with{" "}
        <code>cadre repo add URL --forge {forge.name}</code>.
      </p>
      <label className="field">
        <span>Webhook URL</span>
        <input aria-label="Webhook URL" className="mono" readOnly value={forge.webhookUrl} />
      </label>
      {forgeWebhookSteps(forge).map((step) => (
        <p key={step}>{step}</p>
      ))}
      <div className="form-actions">
        <button className="btn btn-primary" type="button" onClick={onClose} autoFocus>
          Done
        </button>
      </div>
    </div>
  );
}

function CredentialFields({ fields, set }: { fields: Fields; set: (patch: Partial<Fields>) => void }) {
  if (fields.signIn === "token")
    return (
      <label className="field">
        <span>Token</span>
        <input
          aria-label="Token"
          type="password"
          autoComplete="off"
          value={fields.token}
          onChange={(event) => set({ token: event.target.value })}
        />
      </label>
    );
  return (
    <>
      <div className="grid-2">
        <label className="field">
          <span>App id</span>
          <input aria-label="App id" value={fields.appId} onChange={(event) => set({ appId: event.target.value })} />
        </label>
        <label className="field">
          <span>Installation id</span>
          <input
            aria-label="Installation id"
            inputMode="numeric"
            value={fields.installationId}
            onChange={(event) => set({ installationId: event.target.value })}
          />
        </label>
      </div>
      <label className="field">
        <span>Private key (PEM)</span>
        <textarea
          aria-label="Private key"
          className="mono"
          rows={4}
          value={fields.privateKey}
          onChange={(event) => set({ privateKey: event.target.value })}
          placeholder="-----BEGIN RSA PRIVATE KEY-----"
        />
      </label>
    </>
  );
}

function ForgeFields({ fields, set }: { fields: Fields; set: (patch: Partial<Fields>) => void }) {
  return (
    <>
      <div className="grid-2">
        <label className="field">
          <span>Name</span>
          <input
            aria-label="Forge name"
            value={fields.name}
            onChange={(event) => set({ name: event.target.value })}
            placeholder="github"
          />
        </label>
        <label className="field">
          <span>Kind</span>
          <select
            aria-label="Forge kind"
            value={fields.kind}
            onChange={(event) => set({ kind: ForgeKind.parse(event.target.value) })}
          >
            {ForgeKind.options.map((kind) => (
              <option key={kind}>{kind}</option>
            ))}
          </select>
        </label>
      </div>
      <label className="field">
        <span>API URL</span>
        <input
          aria-label="API URL"
          value={fields.apiUrl}
          onChange={(event) => set({ apiUrl: event.target.value })}
          placeholder="https://api.github.com, or https://HOST/api/v3"
        />
      </label>
      <label className="field">
        <span>Web URL</span>
        <input
          aria-label="Web URL"
          value={fields.webUrl}
          onChange={(event) => set({ webUrl: event.target.value })}
          placeholder="from the API URL"
        />
      </label>
    </>
  );
}

/** `cadre forge add` in the web app: the server checks the credentials before it stores anything. */
export function AddForgeForm({ onClose, onAdded }: { onClose: () => void; onAdded: () => void }) {
  const { client } = useApi();
  const { busy, error, run } = useAction();
  const [fields, setFields] = useState<Fields>(EMPTY);
  const [added, setAdded] = useState<Forge | null>(null);
  const set = (patch: Partial<Fields>) => setFields((current) => ({ ...current, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      setAdded(await client.call("createForge", { body: requestBody(fields) }));
      onAdded();
    });
  };
  if (added)
    return (
      <Modal title="Forge connected" onClose={onClose}>
        <Connected forge={added} onClose={onClose} />
      </Modal>
    );
  return (
    <Modal title="Add forge" onClose={onClose}>
      <form className="form" onSubmit={submit} aria-label="Add forge">
        <ForgeFields fields={fields} set={set} />
        <fieldset className="field">
          <legend>Signs in with</legend>
          <label>
            <input
              type="radio"
              name="sign-in"
              checked={fields.signIn === "token"}
              onChange={() => set({ signIn: "token" })}
            />{" "}
            A token
          </label>{" "}
          <label>
            <input
              type="radio"
              name="sign-in"
              checked={fields.signIn === "app"}
              onChange={() => set({ signIn: "app" })}
            />{" "}
            A GitHub App
          </label>
        </fieldset>
        <CredentialFields fields={fields} set={set} />
        <div className="grid-2">
          <label className="field">
            <span>Webhook secret</span>
            <input
              aria-label="Webhook secret"
              type="password"
              autoComplete="off"
              value={fields.webhookSecret}
              onChange={(event) => set({ webhookSecret: event.target.value })}
            />
          </label>
          <label className="field">
            <span>Bot name</span>
            <input
              aria-label="Bot name"
              value={fields.botName}
              onChange={(event) => set({ botName: event.target.value })}
              placeholder="cadre"
            />
          </label>
        </div>
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
            {busy ? "Checking the credentials…" : "Add forge"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
