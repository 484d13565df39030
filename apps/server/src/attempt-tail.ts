import { SSE_EVENT, type Event } from "@cadre/protocol";
import type { EventQueries } from "@cadre/store";

/** Events read from the store in pages of this many (live reads and catch-up alike). */
export const EVENT_PAGE = 500;

/** How much a tail keeps in memory; streams further behind read from the store. */
export interface TailLimits {
  events: number;
  bytes: number;
}

export const TAIL_LIMITS: TailLimits = { events: 2000, bytes: 4 * 1024 * 1024 };

/** The limits, with `CADRE_SSE_TAIL_EVENTS` (a positive integer) in place of the default event count. */
export function tailLimits(env: NodeJS.ProcessEnv): TailLimits {
  const events = Number(env.CADRE_SSE_TAIL_EVENTS);
  return Number.isInteger(events) && events > 0 ? { ...TAIL_LIMITS, events } : TAIL_LIMITS;
}

/** One event as its SSE frame, serialised once for every subscriber (same text as Hono's writeSSE). */
export interface TailFrame {
  seq: number;
  text: string;
}

export function sseFrame(event: Event): TailFrame {
  return { seq: event.seq, text: `event: ${SSE_EVENT}\ndata: ${JSON.stringify(event)}\nid: ${event.seq}\n\n` };
}

export type TailEventSource = Pick<EventQueries, "list" | "newest">;

/**
 * The newest events of one attempt, shared by all of this instance's streams of it: one read of the
 * store per wake-up (not one per stream), each event serialised once. Holds a contiguous run of
 * frames `start+1 … end`; a stream behind `start` catches up from the store itself.
 */
export class AttemptTail {
  private frames: TailFrame[] = [];
  private bytes = 0;
  private start = 0;
  /** The last seq read; null before the first read. */
  private end: number | null = null;
  private running: Promise<void> | null = null;
  private wanted = false;
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly attemptId: string,
    private readonly events: TailEventSource,
    private readonly limits: TailLimits = TAIL_LIMITS,
  ) {}

  /** A notification of a stored seq: reads once (coalesced) unless it already holds that seq, then wakes its streams. */
  notified(seq: number): void {
    if (this.end !== null && seq <= this.end) return;
    // A failed read is repeated by the streams' next heartbeat; nothing is lost.
    this.refresh().catch(() => undefined);
  }

  /**
   * Events this instance has just committed: added without a read when they follow what the tail holds
   * (the NOTIFY that comes back for them is then ignored); otherwise the gap is read from the store.
   */
  fed(events: Event[]): void {
    const first = events[0];
    if (!first) return;
    if (this.end === null || first.seq > this.end + 1) {
      this.refresh().catch(() => undefined);
      return;
    }
    const before = this.end;
    this.add(events);
    if (this.end !== before) for (const wake of this.wakers) wake();
  }

  /** Reads what was stored since the last read; calls made while a read runs share one more read after it. */
  refresh(): Promise<void> {
    this.wanted = true;
    this.running ??= this.drain().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** The frames after `last`, or null when `last` is older than what the tail holds (read those from the store). */
  framesAfter(last: number): TailFrame[] | null {
    if (this.end === null || last < this.start) return null;
    return this.frames.slice(last - this.start);
  }

  addWaker(wake: () => void): void {
    this.wakers.add(wake);
  }

  /** Returns whether any stream is still attached. */
  removeWaker(wake: () => void): boolean {
    this.wakers.delete(wake);
    return this.wakers.size > 0;
  }

  private async drain(): Promise<void> {
    while (this.wanted) {
      this.wanted = false;
      const before = this.end;
      await this.readNew();
      if (this.end !== before) for (const wake of this.wakers) wake();
    }
  }

  private async readNew(): Promise<void> {
    if (this.end === null) {
      // The first read takes the newest page: a stream from further back catches up from the store.
      const newest = await this.events.newest(this.attemptId, EVENT_PAGE);
      this.start = (newest[0]?.seq ?? 1) - 1;
      this.end = this.start;
      this.add(newest);
      return;
    }
    for (;;) {
      const page = await this.events.list(this.attemptId, this.end, EVENT_PAGE);
      this.add(page);
      if (page.length < EVENT_PAGE) return;
    }
  }

  private add(events: Event[]): void {
    for (const event of events) {
      // Already held (fed directly while a read of the same seqs was on its way): events never change.
      if (this.end !== null && event.seq <= this.end) continue;
      // Seqs are contiguous; should one ever skip, the tail starts over there rather than hold a gap.
      if (event.seq !== (this.end ?? 0) + 1) this.reset(event.seq - 1);
      const frame = sseFrame(event);
      this.frames.push(frame);
      this.bytes += frame.text.length;
      this.end = event.seq;
    }
    this.trim();
  }

  private reset(at: number): void {
    this.frames = [];
    this.bytes = 0;
    this.start = at;
    this.end = at;
  }

  private trim(): void {
    let drop = 0;
    let bytes = this.bytes;
    while (
      this.frames.length - drop > 1 &&
      (this.frames.length - drop > this.limits.events || bytes > this.limits.bytes)
    ) {
      bytes -= (this.frames[drop] as TailFrame).text.length;
      drop++;
    }
    if (drop === 0) return;
    this.frames.splice(0, drop);
    this.bytes = bytes;
    this.start += drop;
  }
}
