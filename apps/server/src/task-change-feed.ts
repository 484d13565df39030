import type { TaskWithAttempts } from "@cadre/protocol";
import type { EventBus } from "./event-bus.ts";

type TaskReader = (taskId: string) => Promise<TaskWithAttempts | null>;
type TaskListener = (task: TaskWithAttempts) => void;

/**
 * Task changes for this instance's /tasks/stream connections: one read of a changed task per change
 * (not one per connection), handed to every connection, each of which applies its own access filter.
 * Reads of one task run one at a time, and a change during a read gets one more read after it, so
 * the last state a connection is handed is the newest.
 */
export class TaskChangeFeed {
  private readonly listeners = new Set<TaskListener>();
  private offBus: (() => void) | null = null;
  /** Tasks being read, and whether they changed again meanwhile. */
  private readonly reading = new Map<string, { again: boolean }>();

  constructor(
    private readonly bus: Pick<EventBus, "onTask">,
    private readonly read: TaskReader,
  ) {}

  subscribe(listener: TaskListener): () => void {
    this.listeners.add(listener);
    this.offBus ??= this.bus.onTask((taskId) => this.changed(taskId));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.offBus?.();
      this.offBus = null;
    };
  }

  private changed(taskId: string): void {
    const current = this.reading.get(taskId);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: false };
    this.reading.set(taskId, state);
    void this.readLoop(taskId, state);
  }

  private async readLoop(taskId: string, state: { again: boolean }): Promise<void> {
    try {
      do {
        state.again = false;
        // A failed read is dropped like a lost notification: the task's next change sends it again.
        const task = await this.read(taskId).catch(() => null);
        if (task) for (const listener of this.listeners) listener(task);
      } while (state.again && this.listeners.size > 0);
    } finally {
      this.reading.delete(taskId);
    }
  }
}
