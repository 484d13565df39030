import type { Forge } from "@cadre/protocol";
import { useForges } from "../lib/use-forges.ts";

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

/** Connected forges (`cadre forge add`): where their webhooks go and whether Cadre may still sign in. */
export function ForgesTable() {
  const { forges, error } = useForges();
  if (error) return null;
  return (
    <section className="card" aria-label="Forges">
      <h2>Forges</h2>
      {forges?.length === 0 ? (
        <p className="muted">
          No forge is connected. Connect GitHub with{" "}
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
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
