import { useState } from "react";
import type { Forge, Repo } from "@cadre/protocol";
import { useForges } from "../lib/use-forges.ts";
import { useMe } from "../lib/use-me.ts";
import { AddForgeForm } from "./add-forge-form.tsx";
import { RemoveForgeDialog } from "./remove-forge-dialog.tsx";

function signsIn(forge: Forge): string {
  return forge.auth.kind === "app" ? `app ${forge.auth.appId}, installation ${forge.auth.installationId}` : "a token";
}

/** Whether the forge takes Cadre's credentials: a refusal says what to do. */
function ForgeStatusCell({ forge }: { forge: Forge }) {
  if (forge.status.state === "error")
    return (
      <span className="alert alert-error small" role="alert">
        {forge.status.message}
      </span>
    );
  return <span className="muted">{forge.status.state === "ok" ? "connected" : "not used yet"}</span>;
}

/**
 * Connected forges (`cadre forge add`): where their webhooks go and whether Cadre may still sign in.
 * Admins add and remove them here; `onChanged` reloads the repos a removal turned into plain git repos.
 */
export function ForgesTable({ repos, onChanged }: { repos: Repo[] | null; onChanged: () => void }) {
  const { forges, error, reload } = useForges();
  const admin = useMe()?.role === "admin";
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<Forge | null>(null);
  if (error) return null;
  return (
    <section className="card" aria-label="Forges">
      <div className="page-head">
        <h2>Forges</h2>
        {admin && (
          <button className="btn btn-sm" type="button" onClick={() => setAdding(true)}>
            Add forge
          </button>
        )}
      </div>
      {adding && <AddForgeForm onClose={() => setAdding(false)} onAdded={reload} />}
      {removing && (
        <RemoveForgeDialog
          forge={removing}
          repos={(repos ?? []).filter((repo) => repo.forge?.name === removing.name)}
          onClose={() => setRemoving(null)}
          onDone={() => {
            reload();
            onChanged();
          }}
        />
      )}
      {forges?.length === 0 ? (
        <p className="muted">
          No forge is connected. Connect GitHub {admin ? "with Add forge or " : "with "}
          <code>cadre forge add NAME --kind github --api-url URL --token-env VAR --webhook-secret-env VAR</code>, then
          add repos with <code>cadre repo add URL --forge NAME</code>.
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table" aria-label="Forges">
            <thead>
              <tr>
                <th>Name</th>
                <th>API</th>
                <th>Signs in with</th>
                <th>Webhook URL</th>
                <th>Status</th>
                {admin && <th />}
              </tr>
            </thead>
            <tbody>
              {forges?.map((f) => (
                <tr key={f.id} data-forge={f.name}>
                  <td>
                    <strong>{f.name}</strong>{" "}
                    <span className="muted">
                      ({f.kind}, @{f.botName})
                    </span>
                  </td>
                  <td className="mono break">{f.apiUrl}</td>
                  <td>{signsIn(f)}</td>
                  <td className="mono break">{f.pollSeconds ? `none: polls every ${f.pollSeconds}s` : f.webhookUrl}</td>
                  <td>
                    <ForgeStatusCell forge={f} />
                  </td>
                  {admin && (
                    <td>
                      <button
                        className="btn btn-sm btn-danger-ghost"
                        type="button"
                        aria-label={`Remove forge ${f.name}`}
                        onClick={() => setRemoving(f)}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
