import { useEffect, useState } from "react";
import type { Environment } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { errorMessage } from "../lib/error-message.ts";
import { navigate } from "../lib/router.ts";
import { Link } from "../lib/link.tsx";
import { EnvironmentForm } from "../components/environment-form.tsx";
import { useSetupLog } from "../lib/use-setup-log.ts";
import { statusLabel } from "../lib/format.ts";
import { RelativeTime } from "../components/relative-time.tsx";

export function EnvironmentPage({ id }: { id: string }) {
  const { client, check } = useApi();
  const isNew = id === "new";
  const [env, setEnv] = useState<Environment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { log, loading } = useSetupLog(isNew ? null : (env?.id ?? null));

  useEffect(() => {
    if (isNew) return;
    client.call("getEnvironment", { params: { id } }).then(setEnv, (e: unknown) => {
      check(e);
      setError(errorMessage(e));
    });
  }, [client, check, id, isNew]);

  return (
    <div className="page page-narrow">
      <div className="crumbs">
        <Link href="/environments">Environments</Link> / {isNew ? "new" : (env?.name ?? id)}
      </div>
      <div className="page-head">
        <h1>{isNew ? "New environment" : (env?.name ?? "Environment")}</h1>
      </div>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {(isNew || env) && (
        <EnvironmentForm
          key={env?.id ?? "new"}
          environment={env}
          onSaved={(saved) => {
            setEnv(saved);
            if (isNew) navigate(`/environments/${saved.id}`, { replace: true });
          }}
        />
      )}
      {!isNew && env && (
        <section className="card" aria-label="Setup log">
          <h2>Setup log of the last run</h2>
          {loading && <p className="muted">Looking for the last run…</p>}
          {!loading && !log && <p className="muted">No task has used this environment yet.</p>}
          {log && (
            <>
              <p className="muted">
                From <Link href={`/tasks/${log.taskId}`}>{log.taskTitle}</Link>, <RelativeTime iso={log.at} /> (
                {statusLabel(log.status).toLowerCase()}).
              </p>
              <pre className="pre-block setup-log">
                {log.output || "(the setup script printed nothing, or a cached setup was reused)"}
              </pre>
            </>
          )}
        </section>
      )}
    </div>
  );
}
