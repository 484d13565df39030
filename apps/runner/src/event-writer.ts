import type { EventBody } from "@cadre/protocol";
import type { LiveOutputCap } from "./live-output-cap.ts";
import type { RunnerTransport } from "./runner-transport.ts";

/** The attempt's last stored seq as this runner knows it: every append builds on it. */
export interface SeqCursor {
  last: number;
}

/** One append request stays well below the server's body limit; a larger batch is sent in parts. */
const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

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
 * Every string is redacted before it leaves the runner, and live output is capped (LiveOutputCap).
 */
export interface EventWriterOptions {
  transport: RunnerTransport;
  attemptId: string;
  seq: SeqCursor;
  turn: number;
  redact: Redact;
  /** Caps on stored live output; none stores every chunk. */
  cap?: LiveOutputCap | undefined;
}

export class EventWriter {
  private queue: { turn: number; body: EventBody; done: (() => void)[]; fail: ((e: unknown) => void)[] }[] = [];
  private running = false;
  private failed: unknown = null;
  private readonly transport: RunnerTransport;
  private readonly attemptId: string;
  private readonly seq: SeqCursor;
  private readonly redact: Redact;
  private readonly cap: LiveOutputCap | undefined;
  turn: number;

  constructor(options: EventWriterOptions) {
    this.transport = options.transport;
    this.attemptId = options.attemptId;
    this.seq = options.seq;
    this.turn = options.turn;
    this.redact = options.redact;
    this.cap = options.cap;
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

  /** Appends in parts of at most MAX_REQUEST_BYTES, each fenced by the lease and by the seq it builds on. */
  private async send(turn: number, bodies: EventBody[]): Promise<void> {
    let part: EventBody[] = [];
    let bytes = 0;
    const flush = async () => {
      if (part.length === 0) return;
      const { lastSeq } = await this.transport.call("appendEvents", {
        params: { id: this.attemptId },
        body: { turn, afterSeq: this.seq.last, events: part },
      });
      this.seq.last = lastSeq;
      part = [];
      bytes = 0;
    };
    for (const body of bodies) {
      const size = Buffer.byteLength(JSON.stringify(body));
      if (bytes + size > MAX_REQUEST_BYTES) await flush();
      part.push(body);
      bytes += size;
    }
    await flush();
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
          await this.send(
            turn,
            batch.map((b) => b.body),
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
