import * as vscode from "vscode";
import type { CadreClient } from "@cadre/client";
import { isActive, statusLabel, type Task } from "@cadre/protocol";
import type { TaskStore } from "../core/task-store.ts";
import { fetchTaskPatch, patchFilePath } from "../core/task-patch.ts";

export type TaskNode =
  | { kind: "task"; task: Task }
  | { kind: "file"; taskId: string; path: string; status: string }
  | { kind: "note"; text: string };

const ICONS: Record<Task["status"], string> = {
  queued: "clock",
  provisioning: "loading~spin",
  running: "sync~spin",
  waiting_for_input: "question",
  completed: "pass",
  failed: "error",
  cancelled: "circle-slash",
};

/** Tasks of the open repository with live status; a finished task's changed files under it. */
export class TaskTree implements vscode.TreeDataProvider<TaskNode> {
  private readonly changed = new vscode.EventEmitter<TaskNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private note: string | null = null;

  constructor(
    private readonly store: () => TaskStore | null,
    private readonly client: () => CadreClient | null,
  ) {}

  refresh(note: string | null = this.note): void {
    this.note = note;
    this.changed.fire(undefined);
  }

  getTreeItem(node: TaskNode): vscode.TreeItem {
    if (node.kind === "note") return new vscode.TreeItem(node.text);
    if (node.kind === "file") {
      const item = new vscode.TreeItem(node.path, vscode.TreeItemCollapsibleState.None);
      item.description = node.status;
      item.contextValue = "file";
      item.resourceUri = vscode.Uri.file(node.path);
      item.command = { command: "cadre.openFileDiff", title: "Open File Diff", arguments: [node.taskId, node.path] };
      return item;
    }
    const t = node.task;
    const hasDiff = t.status === "completed" && t.mode !== "ask";
    const item = new vscode.TreeItem(
      t.title,
      hasDiff ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = t.id;
    item.description = `${statusLabel(t.status)}${t.review.state !== "pending" ? ` · ${t.review.state}` : ""}`;
    item.tooltip = `${t.id}\n${t.prompt.slice(0, 500)}`;
    item.iconPath = new vscode.ThemeIcon(ICONS[t.status]);
    item.contextValue = [
      "task",
      hasDiff ? "hasDiff" : "",
      t.status === "waiting_for_input" ? (t.mode === "plan" ? "plan asks" : "asks") : "",
      isActive(t.status) ? "running" : "",
    ]
      .filter(Boolean)
      .join(" ");
    return item;
  }

  async getChildren(node?: TaskNode): Promise<TaskNode[]> {
    const store = this.store();
    if (!node) {
      if (this.note) return [{ kind: "note", text: this.note }];
      if (!store) return [];
      const tasks = store.list();
      return tasks.length
        ? tasks.map((task) => ({ kind: "task" as const, task }))
        : [{ kind: "note", text: "No tasks yet: start one with Cadre: New Task" }];
    }
    const client = this.client();
    if (node.kind !== "task" || !client) return [];
    const patch = await fetchTaskPatch(client, node.task.id);
    return patch.files.map((f) => ({
      kind: "file" as const,
      taskId: node.task.id,
      path: patchFilePath(f),
      status: f.status,
    }));
  }
}
