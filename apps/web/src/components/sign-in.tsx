import { useState, type FormEvent } from "react";
import { CadreClient } from "@cadre/client";
import { errorMessage } from "../lib/error-message.ts";

/** Shown when no token is stored or the server refused the stored one. */
export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) return setError("Paste the server's token first.");
    setBusy(true);
    setError(null);
    try {
      // Any authenticated call checks the token; listing repos is cheap.
      await new CadreClient({ baseUrl: window.location.origin, token: t }).call("listRepos");
      onSignedIn(t);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form className="card sign-in-card" onSubmit={submit} aria-labelledby="sign-in-title">
        <div className="brand brand-lg">
          <span className="brand-mark" aria-hidden>
            C
          </span>{" "}
          Cadre
        </div>
        <h1 id="sign-in-title">Sign in</h1>
        <p className="muted">
          Paste the token of this Cadre server. It is in <code>$CADRE_HOME/token</code> (by default{" "}
          <code>~/.cadre/token</code>) on the machine that runs <code>cadre serve</code>:{" "}
          <code>cat ~/.cadre/token</code>.
        </p>
        {notice && (
          <p className="alert alert-warning" role="alert">
            {notice}
          </p>
        )}
        <label className="field">
          <span>Token</span>
          <input
            type="password"
            autoComplete="current-password"
            autoFocus
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-label="Token"
          />
        </label>
        {error && (
          <p className="alert alert-error" role="alert">
            {error}
          </p>
        )}
        <button className="btn btn-primary" type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p className="muted small">The token is kept in this browser's storage until you sign out.</p>
      </form>
    </main>
  );
}
