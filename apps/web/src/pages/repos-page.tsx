import { useState, type FormEvent } from "react";
import { useApi } from "../lib/api-context.tsx";
import { useRepos } from "../lib/use-repos.ts";
import { errorMessage } from "../lib/error-message.ts";
import { Link } from "../lib/link.tsx";
import { RelativeTime } from "../components/relative-time.tsx";
import { useTitle } from "../lib/use-title.ts";
import { ForgesTable } from "../components/forges-table.tsx";

export function ReposPage() {
  const { client, check } = useApi();
  const { repos, error, reload } = useRepos();
  const [origin, setOrigin] = useState("");
  const [name, setName] = useState("");
  const [branch, setBranch] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle("Repos");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!origin.trim()) return setFormError("Give the repository's path on the server or its URL.");
    setBusy(true);
    setFormError(null);
    try {
      await client.call("createRepo", {
        body: {
          origin: origin.trim(),
          ...(name.trim() ? { name: name.trim() } : {}),
          ...(branch.trim() ? { defaultBranch: branch.trim() } : {}),
        },
      });
      setOrigin("");
      setName("");
      setBranch("");
      reload();
    } catch (err) {
      check(err);
      setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Repos</h1>
      </div>
      <form className="card form" onSubmit={submit} aria-label="Add a repo">
        <h2>Add a repo</h2>
        <div className="grid-3">
          <label className="field">
            <span>Path or URL</span>
            <input
              aria-label="Repo path or URL"
              value={origin}
              onChange={(e) => setOrigin(e.target.value)}
              placeholder="/srv/code/app or https://github.com/org/app.git"
            />
          </label>
          <label className="field">
            <span>Name</span>
            <input
              aria-label="Repo name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="from the path"
            />
          </label>
          <label className="field">
            <span>Default branch</span>
            <input
              aria-label="Default branch"
              value={branch}
              onChange={(e) => setBranch(e.target.value)}
              placeholder="from the origin"
            />
          </label>
        </div>
        {formError && (
          <p className="alert alert-error" role="alert">
            {formError}
          </p>
        )}
        <div className="form-actions">
          <button className="btn btn-primary" type="submit" disabled={busy}>
            {busy ? "Adding…" : "Add repo"}
          </button>
        </div>
      </form>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll">
        <table className="data-table" aria-label="Repos">
          <thead>
            <tr>
              <th>Name</th>
              <th>Origin</th>
              <th>Default branch</th>
              <th>Forge</th>
              <th>Added</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {repos?.map((r) => (
              <tr key={r.id}>
                <td>
                  <strong>{r.name}</strong>
                </td>
                <td className="mono break">{r.origin}</td>
                <td className="mono">{r.defaultBranch}</td>
                <td className="mono">{r.forge ? `${r.forge.name}: ${r.forge.repoPath}` : "—"}</td>
                <td>
                  <RelativeTime iso={r.createdAt} />
                </td>
                <td>
                  <Link href={`/tasks?repo=${encodeURIComponent(r.name)}`}>Tasks</Link>
                </td>
              </tr>
            ))}
            {repos?.length === 0 && (
              <tr>
                <td colSpan={6} className="muted">
                  No repos yet: add one above.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      <ForgesTable repos={repos} onChanged={reload} />
    </div>
  );
}
