import { useEffect, useMemo, useState } from "react";
import type { Me } from "@cadre/protocol";
import { Link } from "../lib/link.tsx";
import { matchPath, navigate, useLocation } from "../lib/router.ts";
import { useShortcuts } from "../lib/use-shortcuts.ts";
import { useApi } from "../lib/api-context.tsx";
import { ShortcutsHelp } from "./shortcuts-help.tsx";
import { useConnection } from "../lib/use-connection.ts";
import { TaskListPage } from "../pages/task-list-page.tsx";
import { TaskPage } from "../pages/task-page.tsx";
import { NewTaskPage } from "../pages/new-task-page.tsx";
import { ReposPage } from "../pages/repos-page.tsx";
import { EnvironmentListPage } from "../pages/environment-list-page.tsx";
import { EnvironmentPage } from "../pages/environment-page.tsx";
import { AutomationsPage } from "../pages/automations-page.tsx";

function Page({ path }: { path: string }) {
  if (path === "/" || path === "/tasks") return <TaskListPage />;
  if (path === "/tasks/new") return <NewTaskPage />;
  const task = matchPath("/tasks/:id", path);
  if (task) return <TaskPage key={task.id} id={task.id as string} />;
  if (path === "/repos") return <ReposPage />;
  if (path === "/environments") return <EnvironmentListPage />;
  if (path === "/automations") return <AutomationsPage />;
  const env = matchPath("/environments/:id", path);
  if (env) return <EnvironmentPage key={env.id} id={env.id as string} />;
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        There is no page at {path}. <Link href="/">Go to the tasks</Link>.
      </p>
    </div>
  );
}

export function Shell() {
  const { path } = useLocation();
  const { signOut, client } = useApi();
  const [help, setHelp] = useState(false);
  const [me, setMe] = useState<Me | null>(null);
  const connected = useConnection();
  useEffect(() => {
    // Older servers have no /me: the name is then simply not shown.
    client.call("whoami").then(setMe, () => undefined);
  }, [client]);

  const shortcuts = useMemo(
    () => ({
      n: () => navigate("/tasks/new"),
      "/": () => {
        if (path !== "/" && path !== "/tasks") navigate("/tasks");
        setTimeout(() => document.getElementById("task-search")?.focus(), 0);
      },
      "g t": () => navigate("/tasks"),
      "g r": () => navigate("/repos"),
      "g e": () => navigate("/environments"),
      "?": () => setHelp(true),
    }),
    [path],
  );
  useShortcuts(shortcuts);

  const section = path.startsWith("/repos")
    ? "repos"
    : path.startsWith("/environments")
      ? "envs"
      : path.startsWith("/automations")
        ? "automations"
        : "tasks";
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand" aria-label="Cadre home">
          <span className="brand-mark" aria-hidden>
            C
          </span>
          <span className="brand-name">Cadre</span>
        </Link>
        <nav className="nav" aria-label="Main">
          <Link href="/tasks" aria-current={section === "tasks" ? "page" : undefined}>
            Tasks
          </Link>
          <Link href="/repos" aria-current={section === "repos" ? "page" : undefined}>
            Repos
          </Link>
          <Link href="/environments" aria-current={section === "envs" ? "page" : undefined}>
            Environments
          </Link>
          <Link href="/automations" aria-current={section === "automations" ? "page" : undefined}>
            Automations
          </Link>
        </nav>
        <div className="topbar-end">
          <Link href="/tasks/new" className="btn btn-primary btn-sm" title="New task (n)">
            New task
          </Link>
          <button
            className="btn btn-ghost btn-sm btn-icon shortcuts-btn"
            onClick={() => setHelp(true)}
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
          >
            ?
          </button>
          {me && (
            <span className="me muted" title={`Signed in as ${me.user} (${me.role})`}>
              {me.user}
            </span>
          )}
          <button className="btn btn-ghost btn-sm" onClick={() => signOut()} aria-label="Sign out">
            Sign out
          </button>
        </div>
      </header>
      {!connected && (
        <div className="conn-banner" role="status">
          The server is not answering: reconnecting… Live updates resume on their own.
        </div>
      )}
      <main className="main">
        <Page path={path} />
      </main>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
