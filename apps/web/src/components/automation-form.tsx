import { useState, type FormEvent } from "react";
import type { AutomationTrigger, CreatedAutomation, Repo } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useAction } from "../lib/use-action.ts";

type When = "schedule" | "push" | "change_request_opened" | "check_failed" | "issue_labelled" | "fire";

function triggerOf(when: When, detail: string): AutomationTrigger {
  if (when === "schedule") return { kind: "schedule", cron: detail.trim() };
  if (when === "push") return { kind: "event", event: "push", ...(detail.trim() ? { branch: detail.trim() } : {}) };
  if (when === "issue_labelled") return { kind: "event", event: "issue_labelled", label: detail.trim() };
  return { kind: "event", event: when };
}

/** Adds an automation; its fire URL and token are shown once, right after. */
export function AutomationForm({ repos, onAdded }: { repos: Repo[]; onAdded: () => void }) {
  const { client } = useApi();
  const { busy, error, setError, run } = useAction();
  const [name, setName] = useState("");
  const [repo, setRepo] = useState("");
  const [when, setWhen] = useState<When>("schedule");
  const [detail, setDetail] = useState("0 6 * * 1-5");
  const [prompt, setPrompt] = useState("");
  const [deliver, setDeliver] = useState<"none" | "branch" | "pr">("none");
  const [created, setCreated] = useState<CreatedAutomation | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const repoName = repo || repos[0]?.name || "";
    if (!name.trim() || !repoName || !prompt.trim()) return setError("Give a name, a repo and a prompt.");
    if (when === "issue_labelled" && !detail.trim()) return setError("Name the label that starts a run.");
    void run(async () => {
      const answer = await client.call("createAutomation", {
        body: { name: name.trim(), repo: repoName, trigger: triggerOf(when, detail), prompt, deliver },
      });
      setCreated(answer);
      setName("");
      setPrompt("");
      onAdded();
    });
  };

  const detailLabel = when === "schedule" ? "Cron (UTC)" : when === "push" ? "Branch (any if empty)" : "Label";
  return (
    <form className="card form" onSubmit={submit} aria-label="Add an automation">
      <h2>Add an automation</h2>
      <div className="grid-3">
        <label className="field">
          <span>Name</span>
          <input
            aria-label="Automation name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="nightly-deps"
          />
        </label>
        <label className="field">
          <span>Repo</span>
          <select aria-label="Repo" value={repo} onChange={(e) => setRepo(e.target.value)}>
            {repos.map((r) => (
              <option key={r.id} value={r.name}>
                {r.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Starts on</span>
          <select aria-label="Starts on" value={when} onChange={(e) => setWhen(e.target.value as When)}>
            <option value="schedule">a schedule</option>
            <option value="push">a push</option>
            <option value="change_request_opened">a pull request opened</option>
            <option value="check_failed">a failed check</option>
            <option value="issue_labelled">an issue labelled</option>
            <option value="fire">its fire URL only</option>
          </select>
        </label>
        {["schedule", "push", "issue_labelled"].includes(when) && (
          <label className="field">
            <span>{detailLabel}</span>
            <input aria-label={detailLabel} value={detail} onChange={(e) => setDetail(e.target.value)} />
          </label>
        )}
        <label className="field">
          <span>Delivers</span>
          <select aria-label="Delivers" value={deliver} onChange={(e) => setDeliver(e.target.value as typeof deliver)}>
            <option value="none">a review left open</option>
            <option value="branch">a pushed branch</option>
            <option value="pr">a pull request</option>
          </select>
        </label>
      </div>
      <label className="field">
        <span>Prompt</span>
        <textarea aria-label="Prompt" value={prompt} onChange={(e) => setPrompt(e.target.value)} rows={3} />
      </label>
      {error && (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div className="alert" role="status" aria-label="Fire URL and token">
          <p>
            Added <strong>{created.name}</strong>. Its token is shown this once: keep it where your alerting system or
            script can use it.
          </p>
          <p className="mono break">POST {created.fireUrl}</p>
          <p className="mono break">Authorization: Bearer {created.fireToken}</p>
        </div>
      )}
      <div className="form-actions">
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Adding…" : "Add automation"}
        </button>
      </div>
    </form>
  );
}
