import { CadreError, InvariantError, LeaseLostError, statusEvent, type HeldAttempt } from "@cadre/protocol";
import type { SandboxManager } from "@cadre/sandbox";
import { runAttempt, type AttemptContext } from "./run-attempt.ts";
import type { SeqCursor } from "./event-writer.ts";
import type { RepoAccess } from "./repo-access.ts";
import type { RunnerTransport } from "./runner-transport.ts";

export interface RunnerOptions {
  transport: RunnerTransport;
  repos: RepoAccess;
  sandboxes: SandboxManager;
  slots: number;
  name: string;
  log?: (line: string) => void;
  /** Told once when the server refuses this runner for good (its token was revoked): it has stopped claiming. */
  onRefused?: (error: CadreError) => void;
}

const GC_INTERVAL_MS = 15 * 60_000;
const LAYER_MAX_AGE_MS = 24 * 3600_000;
/** How long one long poll may wait on the server for work. */
const POLL_WAIT_MS = 25_000;
const POLL_RETRY_MS = 1000;

interface Active {
  record: HeldAttempt;
  abort: AbortController;
  done: Promise<void>;
}

function isRefusal(error: unknown): error is CadreError {
  return error instanceof CadreError && error.code === "unauthorized";
}

/**
 * Claims attempts through the runner API up to its slots (one long poll at a time, woken on the
 * server by the queue's NOTIFY), holds each with a lease renewed by heartbeat, and ends a run within
 * a second of its cancellation. The same class runs remote (HTTP) and embedded (in-process).
 */
export class Runner {
  private runnerId: string | null = null;
  private readonly active = new Map<string, Active>();
  private stopping = false;
  private refused = false;
  private timers: NodeJS.Timeout[] = [];
  /** The long poll in flight and how many attempts it may claim. */
  private poll: { abort: AbortController; free: number } | null = null;
  private polling: Promise<void> = Promise.resolve();
  private readonly ctx: AttemptContext;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: RunnerOptions) {
    this.log = opts.log ?? ((line: string) => console.log(line));
    this.ctx = { transport: opts.transport, repos: opts.repos, sandboxes: opts.sandboxes, log: this.log };
  }

  get id(): string {
    if (!this.runnerId) throw new InvariantError("the runner has not started");
    return this.runnerId;
  }

  get name(): string {
    return this.opts.name;
  }

  get activeCount(): number {
    return this.active.size;
  }

  /** Whether the server refused this runner (revoked token): it claims nothing more. */
  get isRefused(): boolean {
    return this.refused;
  }

  async start(): Promise<void> {
    const session = await this.opts.transport.register({ name: this.opts.name, slots: this.opts.slots });
    this.runnerId = session.runnerId;
    const beat = Math.max(200, Math.floor(session.leaseMs / 3));
    this.timers.push(setInterval(() => void this.heartbeat(), beat));
    // Layers no attempt uses any more (expired setups, old bases) are removed now and then.
    this.timers.push(setInterval(() => void this.collectGarbage(), GC_INTERVAL_MS));
    this.polling = this.pollLoop();
  }

  private async collectGarbage(): Promise<void> {
    try {
      await this.opts.sandboxes.gc({ maxAgeMs: LAYER_MAX_AGE_MS });
    } catch (e) {
      this.log(`sandbox garbage collection failed (will retry): ${(e as Error).message}`);
    }
  }

  private cancel(attemptId: string): void {
    this.active.get(attemptId)?.abort.abort(new Error("cancelled"));
  }

  /** The server no longer accepts this runner: stop claiming, stop every run (they cannot write any more). */
  private refuse(error: CadreError): void {
    if (this.refused) return;
    this.refused = true;
    this.log(`the server refused this runner: ${error.message}`);
    for (const a of this.active.values()) a.abort.abort(new LeaseLostError(a.record.id));
    this.opts.onRefused?.(error);
  }

  private async heartbeat(): Promise<void> {
    if (this.stopping || this.refused) return;
    const ids = [...this.active.keys()];
    try {
      const { held, cancel } = await this.opts.transport.call("heartbeatRunner", {
        body: { attempts: ids, imageBytes: await this.ctx.sandboxes.imageDiskUsage() },
      });
      const kept = new Set(held);
      for (const id of ids) if (!kept.has(id)) this.active.get(id)?.abort.abort(new LeaseLostError(id));
      for (const id of cancel) this.cancel(id);
    } catch (e) {
      if (isRefusal(e)) return this.refuse(e);
      this.log(`runner heartbeat failed (will retry): ${(e as Error).message}`);
    }
  }

  /** One long poll at a time: claims while slots are free, and hears of cancellations meanwhile. */
  private async pollLoop(): Promise<void> {
    while (!this.stopping && !this.refused) {
      const abort = new AbortController();
      const free = Math.max(0, this.opts.slots - this.active.size);
      this.poll = { abort, free };
      const watch = [...this.active.values()].filter((a) => !a.abort.signal.aborted).map((a) => a.record.id);
      try {
        const { claimed, cancel } = await this.opts.transport.call(
          "pollRunner",
          { body: { free, watch, waitMs: POLL_WAIT_MS } },
          abort.signal,
        );
        for (const record of claimed) this.launch(record);
        for (const id of cancel) this.cancel(id);
      } catch (e) {
        if (abort.signal.aborted || this.stopping) continue;
        if (isRefusal(e)) return this.refuse(e);
        this.log(`runner claim failed (will retry): ${(e as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_RETRY_MS));
      } finally {
        this.poll = null;
      }
    }
  }

  /**
   * A slot was freed: a poll waiting with no slot to fill is asked again with the new numbers. A
   * poll that may claim is left alone (aborting it could lose an attempt it just claimed); it
   * returns as soon as there is work.
   */
  private repoll(force = false): void {
    if (this.poll && (force || this.poll.free === 0)) this.poll.abort.abort();
  }

  private launch(record: HeldAttempt): void {
    const abort = new AbortController();
    const seq: SeqCursor = { last: record.lastSeq };
    const done = runAttempt(this.ctx, record, seq, abort.signal)
      .catch((e: unknown) => this.failed(record, seq, e))
      .finally(() => {
        this.active.delete(record.id);
        this.repoll();
      });
    this.active.set(record.id, { record, abort, done });
  }

  /** A run that threw: hand it back when the server was away, else record the failure (if still held). */
  private async failed(record: HeldAttempt, seq: SeqCursor, e: unknown): Promise<void> {
    if (e instanceof LeaseLostError || this.refused) return;
    const message = e instanceof Error ? e.message : String(e);
    // The server (or its database) went away mid-run: the event log is intact, so the attempt goes back
    // to the queue and resumes from it instead of failing.
    if (e instanceof CadreError && e.code === "unavailable") {
      this.log(`attempt ${record.id} lost the server (${message}): handing it back to the queue`);
      await this.opts.transport.call("releaseAttempt", { params: { id: record.id } }).catch(() => undefined);
      return;
    }
    this.log(`attempt ${record.id} failed internally: ${e instanceof Error ? (e.stack ?? e.message) : message}`);
    await this.opts.transport
      .call("appendEvents", {
        params: { id: record.id },
        body: {
          turn: record.turnCount,
          afterSeq: seq.last,
          events: [statusEvent("fail", { reason: "internal", message: `internal error: ${message}` })],
        },
      })
      .catch(() => undefined);
  }

  /** Stops claiming, hands running attempts back to the queue and interrupts them. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    this.repoll(true);
    await this.polling;
    const running = [...this.active.values()];
    // Give the attempts back before interrupting them: their writes are then fenced (so the aborted
    // runs cannot record a cancellation) and another runner resumes them from the event log.
    if (!this.refused)
      for (const a of running)
        await this.opts.transport.call("releaseAttempt", { params: { id: a.record.id } }).catch(() => undefined);
    for (const a of running) a.abort.abort(new Error("runner stopping"));
    await Promise.all(running.map((a) => a.done));
    if (!this.refused) await this.opts.transport.call("leaveRunner", {}).catch(() => undefined);
  }
}
