import { SSE_TASK, Task } from "@cadre/protocol";
import { sseMessages, type CadreClient } from "@cadre/client";

type Listener = (task: Task) => void;

/**
 * One shared task-change stream for the whole page, however many views listen to it.
 * Tasks are parsed leniently: fields added by a newer server are kept, not refused.
 */
export class TaskChanges {
  private listeners = new Set<Listener>();
  private reconnectListeners = new Set<() => void>();
  private ctrl: AbortController | null = null;

  constructor(
    private readonly client: CadreClient,
    private readonly onError: (e: unknown) => void,
  ) {}

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    if (!this.ctrl) this.start();
    return () => {
      this.listeners.delete(l);
      if (this.listeners.size === 0) {
        this.ctrl?.abort();
        this.ctrl = null;
      }
    };
  }

  /** Called whenever the stream lost its connection and is retrying. */
  onReconnect(l: () => void): () => void {
    this.reconnectListeners.add(l);
    return () => {
      this.reconnectListeners.delete(l);
    };
  }

  private start(): void {
    const ctrl = new AbortController();
    this.ctrl = ctrl;
    void (async () => {
      try {
        for await (const m of sseMessages(this.client, this.client.url("/tasks/stream"), {
          signal: ctrl.signal,
          onReconnect: () => this.reconnectListeners.forEach((l) => l()),
        })) {
          if (m.event !== SSE_TASK) continue;
          const r = Task.safeParse(JSON.parse(m.data));
          if (!r.success) continue;
          for (const l of this.listeners) l(r.data);
        }
      } catch (e) {
        if (!ctrl.signal.aborted) this.onError(e);
      }
    })();
  }
}
