/**
 * Everything the extension's logic needs from the editor. The VS Code adapter implements it;
 * tests drive the logic through a fake of it. Nothing here imports `vscode`.
 */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  picked?: boolean;
  value: T;
}

/** A document the diff editor shows: served by the adapter's content provider from `content`. */
export interface VirtualDoc {
  /** Unique key, also the document's path in its URI (keeps the file name for syntax colouring). */
  key: string;
  content: string;
}

export interface DiffPair {
  title: string;
  /** Where the change lands locally (for the multi-file view's labels). */
  path: string;
  left: VirtualDoc;
  right: VirtualDoc;
}

export interface EditorUi {
  input(opts: { title: string; prompt: string; value?: string; placeholder?: string }): Promise<string | undefined>;
  pickOne<T>(title: string, items: PickItem<T>[]): Promise<T | undefined>;
  pickMany<T>(title: string, items: PickItem<T>[]): Promise<T[] | undefined>;
  info(message: string, ...actions: string[]): Promise<string | undefined>;
  warn(message: string, ...actions: string[]): Promise<string | undefined>;
  error(message: string): void;
  /** Opens one file's change in the editor's own diff view. */
  openDiff(pair: DiffPair): Promise<void>;
  /** Opens several files' changes together (VS Code's multi-file diff editor). */
  openChanges(title: string, pairs: DiffPair[]): Promise<void>;
  withProgress<T>(title: string, work: () => Promise<T>): Promise<T>;
}
