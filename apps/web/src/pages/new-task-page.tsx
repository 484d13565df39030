import { useEffect, useRef, useState, type FormEvent } from "react";
import type { TaskMode } from "@cadre/protocol";
import { useApi } from "../lib/api-context.tsx";
import { useEnvironments, useRepos } from "../lib/use-repos.ts";
import { useModels } from "../lib/use-models.ts";
import { ModelPicker } from "../components/model-picker.tsx";
import { errorMessage } from "../lib/error-message.ts";
import { navigate } from "../lib/router.ts";
import { submitOnModEnter } from "../lib/use-shortcuts.ts";
import { Link } from "../lib/link.tsx";
import { useTitle } from "../lib/use-title.ts";

const MODES: { value: TaskMode; label: string; hint: string }[] = [
  { value: "code", label: "Code", hint: "change the code and come back with a diff" },
  { value: "ask", label: "Ask", hint: "read-only: answer a question about the code" },
  { value: "plan", label: "Plan", hint: "propose a plan and wait for your approval" },
];

export function NewTaskPage() {
  const { client, check } = useApi();
  const { repos } = useRepos();
  const { environments, error: environmentsError } = useEnvironments();
  const { models } = useModels();
  const [prompt, setPrompt] = useState("");
  const [repo, setRepo] = useState("");
  const [branch, setBranch] = useState("");
  const [environment, setEnvironment] = useState("");
  const [attempts, setAttempts] = useState(1);
  const [mode, setMode] = useState<TaskMode>("code");
  const [model, setModel] = useState("");
  const [queueBehind, setQueueBehind] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // The repo whose own environment has been preselected, and a start asked for before that happened.
  const [preselectedFor, setPreselectedFor] = useState<string | null>(null);
  const [startWhenReady, setStartWhenReady] = useState(false);
  useTitle("New task");

  useEffect(() => {
    const last = localStorage.getItem("cadre.lastRepo");
    if (!repo && repos?.length) setRepo(repos.find((r) => r.name === last)?.name ?? (repos[0]?.name as string));
  }, [repos, repo]);
  const selectedRepo = repos?.find((r) => r.name === repo);
  const envChoices = environments?.filter((e) => !e.repoId || e.repoId === selectedRepo?.id) ?? [];
  // A repo's own environment is preselected for its tasks (the server does the same when none is named).
  useEffect(() => {
    if (!selectedRepo || (!environments && !environmentsError)) return;
    const own = environments?.filter((e) => e.repoId === selectedRepo.id) ?? [];
    setEnvironment(own.length === 1 ? (own[0]?.name ?? "") : "");
    setPreselectedFor(selectedRepo.id);
  }, [selectedRepo, environments, environmentsError]);
  // A start before the lists have loaded would go out without the repo (or its own environment).
  const ready = repos !== null && (repos.length === 0 || (!!selectedRepo && preselectedFor === selectedRepo.id));

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!ready) return setStartWhenReady(true);
    if (!prompt.trim()) return setError("Describe the task in the prompt first.");
    if (!repo) return setError("Choose a repo (add one on the Repos page if the list is empty).");
    setBusy(true);
    setError(null);
    try {
      const task = await client.call("createTask", {
        body: {
          prompt,
          repo,
          attempts,
          mode,
          ...(branch.trim() ? { baseRef: branch.trim() } : {}),
          environment: environment || null,
          ...(model.trim() && model.trim() !== models?.default ? { model: model.trim() } : {}),
          ...(queueBehind ? { queueBehindConflicts: true } : {}),
        },
      });
      localStorage.setItem("cadre.lastRepo", repo);
      navigate(`/tasks/${task.id}`);
    } catch (err) {
      check(err);
      setError(errorMessage(err));
      setBusy(false);
    }
  };

  const latestSubmit = useRef(submit);
  latestSubmit.current = submit;
  useEffect(() => {
    if (!ready || !startWhenReady) return;
    setStartWhenReady(false);
    void latestSubmit.current();
  }, [ready, startWhenReady]);

  return (
    <div className="page page-narrow">
      <div className="page-head">
        <h1>New task</h1>
      </div>
      <form className="card form" onSubmit={submit} aria-label="New task">
        <label className="field">
          <span>What should the agent do?</span>
          <textarea
            name="prompt"
            aria-label="Prompt"
            rows={7}
            autoFocus
            value={prompt}
            onChange={(e) => setPrompt(e.target.value)}
            onKeyDown={submitOnModEnter}
            placeholder="e.g. Add pagination to the user list endpoint, with tests."
          />
        </label>
        <div className="grid-2">
          <label className="field">
            <span>Repo</span>
            <select name="repo" aria-label="Repo" value={repo} onChange={(e) => setRepo(e.target.value)}>
              {repos?.length === 0 && <option value="">No repos yet</option>}
              {repos?.map((r) => (
                <option key={r.id} value={r.name}>
                  {r.name}
                </option>
              ))}
            </select>
            {repos?.length === 0 && (
              <small>
                <Link href="/repos">Add a repo</Link> first.
              </small>
            )}
          </label>
          <label className="field">
            <span>Branch or commit</span>
            <input
              name="branch"
              aria-label="Branch"
              value={branch}
              onChange={(e) => setBranch(e.target.value)}
              onKeyDown={submitOnModEnter}
              placeholder={selectedRepo?.defaultBranch ?? "default branch"}
            />
          </label>
          <label className="field">
            <span>Environment</span>
            <select
              name="environment"
              aria-label="Environment"
              value={environment}
              onChange={(e) => setEnvironment(e.target.value)}
            >
              <option value="">None (no setup)</option>
              {envChoices.map((e) => (
                <option key={e.id} value={e.name}>
                  {e.name}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Model</span>
            <ModelPicker models={models} value={model} onChange={setModel} />
          </label>
          <label className="field">
            <span>Attempts (best of N)</span>
            <input
              name="attempts"
              aria-label="Attempts"
              type="number"
              min={1}
              max={8}
              value={attempts}
              onChange={(e) => setAttempts(Math.max(1, Math.min(8, Number(e.target.value) || 1)))}
              onKeyDown={submitOnModEnter}
            />
          </label>
          <fieldset className="field">
            <legend>Mode</legend>
            <div className="segmented" role="radiogroup" aria-label="Mode">
              {MODES.map((m) => (
                <label key={m.value} className={mode === m.value ? "on" : ""} title={m.hint}>
                  <input
                    type="radio"
                    name="mode"
                    value={m.value}
                    checked={mode === m.value}
                    onChange={() => setMode(m.value)}
                    aria-label={`${m.label} mode`}
                  />
                  {m.label}
                </label>
              ))}
            </div>
            <small className="muted">{MODES.find((m) => m.value === mode)?.hint}</small>
          </fieldset>
        </div>
        <label className="check">
          <input type="checkbox" checked={queueBehind} onChange={(e) => setQueueBehind(e.target.checked)} />
          Wait for active tasks it may conflict with (same files) to finish before starting
        </label>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <div className="form-actions">
          <span className="muted small hide-sm">
            <kbd>Ctrl</kbd>/<kbd>⌘</kbd> + <kbd>Enter</kbd> to start
          </span>
          <button className="btn btn-primary" type="submit" disabled={busy || !ready}>
            {busy ? "Starting…" : "Start task"}
          </button>
        </div>
      </form>
    </div>
  );
}
