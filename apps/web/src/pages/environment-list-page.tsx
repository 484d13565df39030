import { useEnvironments, useRepos } from "../lib/use-repos.ts";
import { Link } from "../lib/link.tsx";
import { useTitle } from "../lib/use-title.ts";

export function EnvironmentListPage() {
  const { environments, error } = useEnvironments();
  const { repos } = useRepos();
  useTitle("Environments");
  return (
    <div className="page">
      <div className="page-head">
        <h1>Environments</h1>
        <Link href="/environments/new" className="btn btn-primary">
          New environment
        </Link>
      </div>
      <p className="muted">How a repo's sandbox is prepared: setup script, variables, secrets, network and limits.</p>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll">
        <table className="data-table" aria-label="Environments">
          <thead>
            <tr>
              <th>Name</th>
              <th>Repo</th>
              <th>Network</th>
              <th>Variables</th>
              <th>Secrets</th>
            </tr>
          </thead>
          <tbody>
            {environments?.map((e) => (
              <tr key={e.id}>
                <td>
                  <Link href={`/environments/${e.id}`}>
                    <strong>{e.name}</strong>
                  </Link>
                </td>
                <td>
                  {repos?.find((r) => r.id === e.repoId)?.name ??
                    (e.repoId ? e.repoId : <span className="muted">any</span>)}
                </td>
                <td>
                  {e.networkPolicy.mode === "allowlist"
                    ? `allowlist (${e.networkPolicy.allow.length})`
                    : e.networkPolicy.mode}
                </td>
                <td>{Object.keys(e.variables).length}</td>
                <td>{e.secretNames.length}</td>
              </tr>
            ))}
            {environments?.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No environments yet. Tasks without one run with no setup and no network.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
