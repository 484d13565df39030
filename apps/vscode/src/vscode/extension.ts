import { CadreError } from "@cadre/protocol";
import * as vscode from "vscode";
import { relative, sep } from "node:path";
import type { CadreClient } from "@cadre/client";
import { CadreController } from "../core/cadre-controller.ts";
import type { Notice } from "../core/notifications.ts";
import type { EditorContext } from "../core/task-context.ts";
import { TaskStore } from "../core/task-store.ts";
import { repoForFolder } from "../core/workspace-repo.ts";
import { clientFromSettings, TOKEN_SECRET } from "./connection.ts";
import { TaskTree, type TaskNode } from "./task-tree.ts";
import { VirtualDocs, SCHEME } from "./virtual-docs.ts";
import { VsCodeUi } from "./vscode-ui.ts";

interface Session {
  client: CadreClient;
  store: TaskStore;
  controller: CadreController;
  root: string;
  stop: AbortController;
}

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel("Cadre");
  const docs = new VirtualDocs();
  let session: Session | null = null;
  let client: CadreClient | null = null;
  const tree = new TaskTree(
    () => session?.store ?? null,
    () => client,
  );
  context.subscriptions.push(
    log,
    docs,
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, docs),
    vscode.window.createTreeView("cadre.tasks", { treeDataProvider: tree }),
  );

  const notify = async (n: Notice, s: Session) => {
    if (!vscode.workspace.getConfiguration("cadre").get<boolean>("notifications", true)) return;
    const show = n.kind === "failed" ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    const action = await show(n.message, ...n.actions);
    if (action === "Open Diff") await s.controller.openDiff(n.taskId);
    else if (action === "Apply") await s.controller.applyAll(n.taskId);
    else if (action === "Answer")
      await (s.store.get(n.taskId)?.mode === "plan"
        ? s.controller.approvePlan(n.taskId)
        : s.controller.answer(n.taskId));
    else if (action === "Show") await vscode.commands.executeCommand("cadre.tasks.focus");
  };

  /** (Re)connects: finds the server repo of the open folder and follows its tasks. */
  const connect = async () => {
    session?.stop.abort();
    session = null;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) return tree.refresh("Open a folder that is a clone of a Cadre repo.");
    try {
      client = await clientFromSettings(context.secrets);
      const match = await repoForFolder(client, folder.uri.fsPath);
      if (!match)
        return tree.refresh("This folder is not a clone of any Cadre repo: add it with 'cadre repo add <path|url>'.");
      const store = new TaskStore(client, match.repo.id);
      const ui = new VsCodeUi(docs, vscode.Uri.file(match.root));
      const s: Session = {
        client,
        store,
        root: match.root,
        stop: new AbortController(),
        controller: new CadreController({ client, ui, root: match.root, repo: match.repo, store }),
      };
      session = s;
      store.onDidChange(() => tree.refresh(null));
      store.onNotice((n) => void notify(n, s).catch((e: unknown) => report(e)));
      await store.refresh();
      tree.refresh(null);
      store
        .follow(s.stop.signal)
        .catch((e: unknown) => log.appendLine(`task stream ended: ${e instanceof Error ? e.message : String(e)}`));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      log.appendLine(`connect: ${message}`);
      tree.refresh(`Cannot reach Cadre: ${message} (check 'cadre.serverUrl' and run 'Cadre: Set Token').`);
    }
  };

  const report = (e: unknown) => {
    const message = e instanceof Error ? e.message : String(e);
    log.appendLine(message);
    void vscode.window.showErrorMessage(`Cadre: ${message}`);
  };

  const need = (): Session => {
    if (!session)
      throw new CadreError(
        "not_configured",
        "not connected to a Cadre repo: open a clone of one, set 'cadre.serverUrl' and run 'Cadre: Set Token'",
      );
    return session;
  };

  /** A command's task: the tree node it was invoked on, an id, or one picked from the list. */
  const taskOf = async (arg: unknown, s: Session): Promise<string | undefined> => {
    if (typeof arg === "string") return arg;
    const node = arg as TaskNode | undefined;
    if (node?.kind === "task") return node.task.id;
    if (node?.kind === "file") return node.taskId;
    const picked = await vscode.window.showQuickPick(
      s.store
        .list()
        .map((t) => ({ label: t.title, description: `${t.status.replace(/_/g, " ")} · ${t.id}`, id: t.id })),
      { title: "Cadre: choose a task", matchOnDescription: true },
    );
    return picked?.id;
  };

  const command = (id: string, run: (s: Session, arg: unknown, extra: unknown) => Promise<unknown>) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (arg: unknown, extra: unknown) => {
        try {
          await run(need(), arg, extra);
        } catch (e) {
          report(e);
        }
      }),
    );
  const taskCommand = (id: string, run: (s: Session, taskId: string) => Promise<unknown>) =>
    command(id, async (s, arg) => {
      const taskId = await taskOf(arg, s);
      if (taskId) await run(s, taskId);
    });

  command("cadre.newTask", async (s) => {
    const editor = vscode.window.activeTextEditor;
    let ctx: EditorContext | null = null;
    if (editor && editor.document.uri.scheme === "file") {
      const rel = relative(s.root, editor.document.uri.fsPath);
      if (rel && !rel.startsWith("..")) {
        const sel = editor.selection;
        ctx = {
          path: rel.split(sep).join("/"),
          selection: sel.isEmpty
            ? null
            : { text: editor.document.getText(sel), startLine: sel.start.line + 1, endLine: sel.end.line + 1 },
        };
      }
    }
    await s.controller.newTask(ctx);
  });
  taskCommand("cadre.openDiff", (s, id) => s.controller.openDiff(id));
  command("cadre.openFileDiff", async (s, taskId, path) => {
    if (typeof taskId === "string" && typeof path === "string") await s.controller.openDiff(taskId, path);
  });
  taskCommand("cadre.applyAll", (s, id) => s.controller.applyAll(id));
  taskCommand("cadre.applySome", (s, id) => s.controller.applySome(id));
  taskCommand("cadre.approve", (s, id) => s.controller.approve(id));
  taskCommand("cadre.followup", (s, id) => s.controller.followup(id));
  taskCommand("cadre.say", (s, id) => s.controller.say(id));
  taskCommand("cadre.answer", (s, id) => s.controller.answer(id));
  taskCommand("cadre.approvePlan", (s, id) => s.controller.approvePlan(id));
  context.subscriptions.push(
    vscode.commands.registerCommand("cadre.refresh", () => connect()),
    vscode.commands.registerCommand("cadre.setToken", async () => {
      const token = await vscode.window.showInputBox({
        title: "Cadre: API token",
        prompt: "Paste the token ('cat $CADRE_HOME/token' on the server machine)",
        password: true,
        ignoreFocusOut: true,
      });
      if (!token?.trim()) return;
      await context.secrets.store(TOKEN_SECRET, token.trim());
      await connect();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration("cadre.serverUrl")) void connect();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void connect()),
    { dispose: () => session?.stop.abort() },
  );
  void connect();
}

export function deactivate(): void {
  // Subscriptions (including the task stream's abort) are disposed by VS Code.
}
