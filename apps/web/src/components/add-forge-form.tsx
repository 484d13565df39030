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

type TextKey = Exclude<keyof Fields, "kind" | "signIn">;

/** One labelled text input bound to a field of the form (`secret`: typed like a password, never autofilled). */
function Field(props: {
  label: string;
  name: TextKey;
  fields: Fields;
  set: (patch: Partial<Fields>) => void;
  aria?: string;
  placeholder?: string;
  secret?: boolean;
  numeric?: boolean;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        aria-label={props.aria ?? props.label}
        value={props.fields[props.name]}
        onChange={(event) => props.set({ [props.name]: event.target.value })}
        {...(props.placeholder ? { placeholder: props.placeholder } : {})}
        {...(props.secret ? { type: "password", autoComplete: "off" } : {})}
        {...(props.numeric ? { inputMode: "numeric" as const } : {})}
      />
    </label>
  );
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
  if (fields.signIn === "token") return <Field label="Token" name="token" fields={fields} set={set} secret />;
  return (
    <>
      <div className="grid-2">
        <Field label="App id" name="appId" fields={fields} set={set} />
        <Field label="Installation id" name="installationId" fields={fields} set={set} numeric />
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
        <Field label="Name" aria="Forge name" name="name" fields={fields} set={set} placeholder="github" />
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
      <Field
        label="API URL"
        name="apiUrl"
        fields={fields}
        set={set}
        placeholder="https://api.github.com, or https://HOST/api/v3"
      />
      <Field label="Web URL" name="webUrl" fields={fields} set={set} placeholder="from the API URL" />
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
          <Field label="Webhook secret" name="webhookSecret" fields={fields} set={set} secret />
          <Field label="Bot name" name="botName" fields={fields} set={set} placeholder="cadre" />
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
