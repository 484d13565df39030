import type { DiffPair, EditorUi, PickItem } from "../../../apps/vscode/src/core/editor-ui.ts";

type Answer<T> = (items: PickItem<T>[]) => T | T[] | undefined;

/**
 * The editor boundary, faked: prompts are answered from queues the test fills, and everything
 * shown is recorded. An unexpected prompt fails the test instead of hanging it.
 */
export class FakeEditorUi implements EditorUi {
  readonly inputs: string[] = [];
  readonly picks: Answer<unknown>[] = [];
  readonly buttons: (string | undefined)[] = [];
  readonly shown: { level: "info" | "warn" | "error"; message: string }[] = [];
  readonly diffs: DiffPair[] = [];
  readonly changes: { title: string; pairs: DiffPair[] }[] = [];

  input(opts: { prompt: string }): Promise<string | undefined> {
    if (this.inputs.length === 0) throw new Error(`unexpected input box: ${opts.prompt}`);
    return Promise.resolve(this.inputs.shift());
  }

  pickOne<T>(title: string, items: PickItem<T>[]): Promise<T | undefined> {
    const answer = this.picks.shift() as Answer<T> | undefined;
    if (!answer) throw new Error(`unexpected quick pick: ${title}`);
    return Promise.resolve(answer(items) as T | undefined);
  }

  pickMany<T>(title: string, items: PickItem<T>[]): Promise<T[] | undefined> {
    const answer = this.picks.shift() as Answer<T> | undefined;
    if (!answer) throw new Error(`unexpected multi pick: ${title}`);
    return Promise.resolve(answer(items) as T[] | undefined);
  }

  info(message: string, ...actions: string[]): Promise<string | undefined> {
    this.shown.push({ level: "info", message });
    return Promise.resolve(actions.length ? this.buttons.shift() : undefined);
  }

  warn(message: string): Promise<string | undefined> {
    this.shown.push({ level: "warn", message });
    return Promise.resolve(undefined);
  }

  error(message: string): void {
    this.shown.push({ level: "error", message });
  }

  openDiff(pair: DiffPair): Promise<void> {
    this.diffs.push(pair);
    return Promise.resolve();
  }

  openChanges(title: string, pairs: DiffPair[]): Promise<void> {
    this.changes.push({ title, pairs });
    return Promise.resolve();
  }

  withProgress<T>(_title: string, work: () => Promise<T>): Promise<T> {
    return work();
  }

  last(): { level: string; message: string } | undefined {
    return this.shown[this.shown.length - 1];
  }
}
