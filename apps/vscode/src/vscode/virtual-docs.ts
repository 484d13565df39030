import * as vscode from "vscode";
import type { VirtualDoc } from "../core/editor-ui.ts";

export const SCHEME = "cadre-diff";

/** Serves the read-only left and right sides of Cadre diffs from memory. */
export class VirtualDocs implements vscode.TextDocumentContentProvider {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  uriFor(doc: VirtualDoc): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${doc.key}` });
    const had = this.docs.get(uri.path);
    this.docs.set(uri.path, doc.content);
    if (had !== undefined && had !== doc.content) this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? "(this Cadre diff is no longer loaded: open it again from the Cadre view)";
  }

  dispose(): void {
    this.changed.dispose();
  }
}
