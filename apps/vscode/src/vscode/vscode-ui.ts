import * as vscode from "vscode";
import type { DiffPair, EditorUi, PickItem } from "../core/editor-ui.ts";
import type { VirtualDocs } from "./virtual-docs.ts";

/** The EditorUi port on VS Code's API. */
export class VsCodeUi implements EditorUi {
  constructor(
    private readonly docs: VirtualDocs,
    private readonly root: vscode.Uri,
  ) {}

  input(opts: { title: string; prompt: string; value?: string; placeholder?: string }): Promise<string | undefined> {
    return Promise.resolve(
      vscode.window.showInputBox({
        title: opts.title,
        prompt: opts.prompt,
        ignoreFocusOut: true,
        ...(opts.value !== undefined ? { value: opts.value } : {}),
        ...(opts.placeholder ? { placeHolder: opts.placeholder } : {}),
      }),
    );
  }

  async pickOne<T>(title: string, items: PickItem<T>[]): Promise<T | undefined> {
    const picked = await vscode.window.showQuickPick(
      items.map((i) => ({ ...i, value: undefined, item: i })),
      { title, ignoreFocusOut: true, matchOnDescription: true },
    );
    return picked?.item.value;
  }

  async pickMany<T>(title: string, items: PickItem<T>[]): Promise<T[] | undefined> {
    const picked = await vscode.window.showQuickPick(
      items.map((i) => ({ ...i, value: undefined, item: i })),
      { title, canPickMany: true, ignoreFocusOut: true, matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.map((p) => p.item.value);
  }

  info(message: string, ...actions: string[]): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showInformationMessage(message, ...actions));
  }

  warn(message: string, ...actions: string[]): Promise<string | undefined> {
    return Promise.resolve(vscode.window.showWarningMessage(message, ...actions));
  }

  error(message: string): void {
    void vscode.window.showErrorMessage(message);
  }

  async openDiff(pair: DiffPair): Promise<void> {
    await vscode.commands.executeCommand(
      "vscode.diff",
      this.docs.uriFor(pair.left),
      this.docs.uriFor(pair.right),
      pair.title,
      { preview: false },
    );
  }

  async openChanges(title: string, pairs: DiffPair[]): Promise<void> {
    // VS Code's multi-file diff editor: one entry per file (label resource, left, right).
    const resources = pairs.map((p) => [
      vscode.Uri.joinPath(this.root, p.path),
      this.docs.uriFor(p.left),
      this.docs.uriFor(p.right),
    ]);
    await vscode.commands.executeCommand("vscode.changes", title, resources);
  }

  withProgress<T>(title: string, work: () => Promise<T>): Promise<T> {
    return Promise.resolve(vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, work));
  }
}
