import type { EventBody } from "@cadre/protocol";
import type { Store } from "@cadre/store";
import type { LiveOutputCap } from "./live-output-cap.ts";

type Redact = (text: string) => string;

function redactDeep(value: unknown, redact: Redact): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, redact)]));
  return value;
}

/**
 * Writes an attempt's events in order, each stored before `emit` resolves. Consecutive live output
 * chunks of one command are merged while a write is in flight, so a chatty command costs few writes.
 * Every string is redacted before it reaches the store, and live output is capped (LiveOutputCap).
 */
export class EventWriter {
  private queue: { turn: number; body: EventBody; done: (() => void)[]; fail: ((e: unknown) => void)[] }[] = [];
  private running = false;
  private failed: unknown = null;
  turn: number;

  constructor(
    private readonly store: { events: Pick<Store["events"], "append"> },
    private readonly attemptId: string,
    private readonly runnerId: string,
    turn: number,
    private readonly redact: Redact,
    /** Caps on stored live output; none stores every chunk. */
    private readonly cap?: LiveOutputCap,
  ) {
    this.turn = turn;
  }

  emit(body: EventBody): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const clean = redactDeep(body, this.redact) as EventBody;
    const bodies = this.cap ? this.cap.filter(clean) : [clean];
    return Promise.all(bodies.map((b) => this.enqueue(b))).then(() => undefined);
  }

  private enqueue(clean: EventBody): Promise<void> {
    return new Promise((resolve, reject) => {
      const last = this.queue[this.queue.length - 1];
      if (
        last &&
        clean.type === "command_output" &&
        last.body.type === "command_output" &&
        last.body.callId === clean.callId &&
        last.body.stream === clean.stream &&
        last.turn === this.turn
      ) {
        last.body = { ...last.body, chunk: last.body.chunk + clean.chunk };
        last.done.push(resolve);
        last.fail.push(reject);
      } else {
        this.queue.push({ turn: this.turn, body: clean, done: [resolve], fail: [reject] });
      }
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    // Events emitted together (in one tick) wait for each other and are stored in one write.
    await Promise.resolve();
    try {
      while (this.queue.length) {
        // Take every queued event of the same turn as one batch (one transaction).
        const turn = (this.queue[0] as (typeof this.queue)[number]).turn;
        const batch: typeof this.queue = [];
        while (this.queue.length && (this.queue[0] as (typeof this.queue)[number]).turn === turn && batch.length < 200)
          batch.push(this.queue.shift() as (typeof this.queue)[number]);
        try {
          await this.store.events.append(
            this.attemptId,
            turn,
            batch.map((b) => b.body),
            this.runnerId,
          );
          for (const b of batch) for (const d of b.done) d();
        } catch (e) {
          this.failed = e;
          for (const b of [...batch, ...this.queue]) for (const f of b.fail) f(e);
          this.queue = [];
        }
      }
    } finally {
      this.running = false;
    }
  }
}
