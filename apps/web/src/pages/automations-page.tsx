import { useCallback, useEffect, useState } from "react";
import type { Automation } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";
import { errorMessage } from "../lib/error-message.ts";
import { useRepos } from "../lib/use-repos.ts";
import { useTitle } from "../lib/use-title.ts";
import { Link } from "../lib/link.tsx";
import { runText, triggerText } from "../lib/automation-text.ts";
import { RelativeTime } from "../components/relative-time.tsx";
import { AutomationForm } from "../components/automation-form.tsx";

function useAutomations() {
  const { client, check } = useApi();
  const [items, setItems] = useState<Automation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    client.call("listAutomations", { query: {} }).then(
      (page) => setItems(page.items),
      (e: unknown) => {
        check(e);
        setError(errorMessage(e));
      },
    );
  }, [client, check]);
  useEffect(() => {
    reload();
    // Runs start and end on their own: refresh while the page is open.
    const timer = setInterval(reload, 5000);
    return () => clearInterval(timer);
  }, [reload]);
  return { items, error, reload };
}

function AutomationRow({ automation, onChanged }: { automation: Automation; onChanged: () => void }) {
  const { client } = useApi();
  const { busy, error, run } = useAction();
  const paused = automation.state === "paused";
  const toggle = () =>
    run(async () => {
      await client.call(paused ? "resumeAutomation" : "pauseAutomation", { params: { id: automation.id } });
      onChanged();
    });
  return (
    <tr>
      <td>
        <strong>{automation.name}</strong>
        <div className="muted">{automation.repoName}</div>
      </td>
      <td>
        {triggerText(automation.trigger)}
        {automation.nextRunAt && (
          <div className="muted">
            next <RelativeTime iso={automation.nextRunAt} />
          </div>
        )}
      </td>
      <td>
        {paused ? (
          <span className="alert-error" role="status">
            Paused: {automation.pausedReason ?? "paused"}
          </span>
        ) : (
          "Active"
        )}
        {error && <div className="alert alert-error">{error}</div>}
      </td>
      <td>
        {automation.lastRuns.length === 0 && <span className="muted">no runs yet</span>}
        <ul className="plain-list">
          {automation.lastRuns.slice(0, 3).map((r) => (
            <li key={r.id}>
              <RelativeTime iso={r.createdAt} />{" "}
              {r.taskId ? <Link href={`/tasks/${r.taskId}`}>{r.detail}</Link> : r.detail} — {runText(r)}
            </li>
          ))}
        </ul>
      </td>
      <td>
        <button className="btn btn-sm" onClick={() => void toggle()} disabled={busy}>
          {paused ? "Resume" : "Pause"}
        </button>
      </td>
    </tr>
  );
}

/** Automations with their last runs; add one, pause or resume. */
export function AutomationsPage() {
  useTitle("Automations");
  const { items, error, reload } = useAutomations();
  const { repos } = useRepos();
  return (
    <div className="page">
      <div className="page-head">
        <h1>Automations</h1>
      </div>
      {repos && repos.length > 0 && <AutomationForm repos={repos} onAdded={reload} />}
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll">
        <table className="data-table" aria-label="Automations">
          <thead>
            <tr>
              <th>Name</th>
              <th>Starts on</th>
              <th>State</th>
              <th>Last runs</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {items?.map((automation) => (
              <AutomationRow key={automation.id} automation={automation} onChanged={reload} />
            ))}
            {items?.length === 0 && (
              <tr>
                <td colSpan={5} className="muted">
                  No automations yet: add one above, or with cadre automation add.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
