import { streamTaskChanges, type CadreClient } from "@cadre/client";
import type { Task } from "@cadre/protocol";
import { noticeFor, type Notice } from "./notifications.ts";

/**
 * The tasks of one repository, newest first, kept live from the server's task stream. Listeners
 * hear about every change and, separately, about changes worth a notification.
 */
export class TaskStore {
  private tasks = new Map<string, Task>();
  private readonly changeListeners = new Set<() => void>();
  private readonly noticeListeners = new Set<(n: Notice) => void>();

  constructor(
    private readonly client: CadreClient,
    readonly repoId: string,
  ) {}

  list(): Task[] {
    return [...this.tasks.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): Task | undefined {
    return this.tasks.get(id);
  }

  onDidChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  onNotice(listener: (n: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  async refresh(): Promise<Task[]> {
    const page = await this.client.call("listTasks", { query: { repo: this.repoId, limit: 100 } });
    const next = new Map(page.items.map((t) => [t.id, t]));
    for (const t of page.items) this.announce(this.tasks.get(t.id), t);
    this.tasks = next;
    this.emit();
    return this.list();
  }

  /** Applies one task change (from the stream or from a call's response). */
  update(task: Task): void {
    if (task.repoId !== this.repoId) return;
    this.announce(this.tasks.get(task.id), task);
    this.tasks.set(task.id, task);
    this.emit();
  }

  /** Follows the server's task stream until `signal` aborts; the client reconnects by itself. */
  async follow(signal: AbortSignal): Promise<void> {
    for await (const t of streamTaskChanges(this.client, { signal })) this.update(t);
  }

  private announce(prev: Task | undefined, next: Task): void {
    const n = noticeFor(prev, next);
    if (n) for (const l of this.noticeListeners) l(n);
  }

  private emit(): void {
    for (const l of this.changeListeners) l();
  }
}
