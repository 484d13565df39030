import type { EventBus } from "./event-bus.ts";
import { AttemptTail, TAIL_LIMITS, type TailEventSource, type TailLimits } from "./attempt-tail.ts";

/** A stream's hold on its attempt's shared tail. */
export interface TailLease {
  tail: AttemptTail;
  close: () => void;
}

/**
 * This instance's attempt tails: one per attempt that has open streams, fed by one bus subscription
 * (the process's one LISTEN) and by this process's own appends, and dropped with its last stream.
 */
export class AttemptTailRegistry {
  private readonly open = new Map<string, { tail: AttemptTail; offBus: () => void }>();

  constructor(
    private readonly events: TailEventSource,
    private readonly bus: EventBus,
    private readonly limits: TailLimits = TAIL_LIMITS,
  ) {}

  /** Attaches a stream: `wake` is called whenever the tail has read newer events. */
  attach(attemptId: string, wake: () => void): TailLease {
    let entry = this.open.get(attemptId);
    if (!entry) {
      const tail = new AttemptTail(attemptId, this.events, this.limits);
      const offNotify = this.bus.onAttempt(attemptId, (seq) => tail.notified(seq));
      const offFeed = this.bus.onAppended(attemptId, (events) => tail.fed(events));
      entry = {
        tail,
        offBus: () => {
          offNotify();
          offFeed();
        },
      };
      this.open.set(attemptId, entry);
    }
    const { tail } = entry;
    tail.addWaker(wake);
    return {
      tail,
      close: () => {
        if (tail.removeWaker(wake) || this.open.get(attemptId)?.tail !== tail) return;
        this.open.get(attemptId)?.offBus();
        this.open.delete(attemptId);
      },
    };
  }

  /** How many attempts have a tail (for tests). */
  get size(): number {
    return this.open.size;
  }
}
