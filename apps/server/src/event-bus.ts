import type { Event } from "@cadre/protocol";
import type { Database } from "@cadre/store";

type Listener = (seq: number) => void;
type FeedListener = (events: Event[]) => void;

/**
 * Fans NOTIFY payloads out to this process's subscribers (live streams, runners' long polls): one LISTEN per channel per process,
 * whichever instance or runner wrote the event. Subscribers re-read the store, so a lost or
 * coalesced notification only delays, never drops, an event.
 */
export class EventBus {
  private readonly attemptListeners = new Map<string, Set<Listener>>();
  private readonly feedListeners = new Map<string, Set<FeedListener>>();
  private readonly taskListeners = new Set<(taskId: string) => void>();
  private readonly queueListeners = new Set<() => void>();
  private readonly cancelListeners = new Set<(attemptId: string) => void>();
  private unlisten: (() => Promise<void>)[] = [];

  constructor(private readonly db: Database) {}

  async start(): Promise<void> {
    this.unlisten.push(
      await this.db.listen("cadre_events", (payload) => {
        const [attemptId, seq] = payload.split(":");
        if (!attemptId) return;
        for (const l of this.attemptListeners.get(attemptId) ?? []) l(Number(seq));
      }),
      await this.db.listen("cadre_tasks", (taskId) => {
        for (const l of this.taskListeners) l(taskId);
      }),
      // Runners' long polls wait on these: an attempt to claim, a cancellation to pass on.
      await this.db.listen("cadre_queue", () => {
        for (const l of this.queueListeners) l();
      }),
      await this.db.listen("cadre_cancel", (attemptId) => {
        for (const l of this.cancelListeners) l(attemptId);
      }),
    );
  }

  onAttempt(attemptId: string, listener: Listener): () => void {
    let set = this.attemptListeners.get(attemptId);
    if (!set) this.attemptListeners.set(attemptId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.attemptListeners.delete(attemptId);
    };
  }

  /** Events this process has just committed, passed on directly (their NOTIFY still follows). */
  appended(attemptId: string, events: Event[]): void {
    for (const l of this.feedListeners.get(attemptId) ?? []) l(events);
  }

  onAppended(attemptId: string, listener: FeedListener): () => void {
    let set = this.feedListeners.get(attemptId);
    if (!set) this.feedListeners.set(attemptId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.feedListeners.delete(attemptId);
    };
  }

  onTask(listener: (taskId: string) => void): () => void {
    this.taskListeners.add(listener);
    return () => this.taskListeners.delete(listener);
  }

  onQueue(listener: () => void): () => void {
    this.queueListeners.add(listener);
    return () => this.queueListeners.delete(listener);
  }

  onCancel(listener: (attemptId: string) => void): () => void {
    this.cancelListeners.add(listener);
    return () => this.cancelListeners.delete(listener);
  }

  async stop(): Promise<void> {
    for (const u of this.unlisten) await u().catch(() => undefined);
    this.unlisten = [];
  }
}
