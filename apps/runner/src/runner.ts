import { join } from "node:path";
import { hostname } from "node:os";
import { isTransient, LeaseLostError, newId, type AttemptRecord, type QueueLimits, type Store } from "@cadre/store";
import { SandboxManager } from "@cadre/sandbox";
import { runAttempt, type AttemptContext } from "./run-attempt.ts";
import { ForgeRemotes } from "./forge-remote.ts";

export interface RunnerOptions {
  store: Store;
  home: string;
  slots: number;
  name?: string;
  secretKey: Buffer;
  env?: NodeJS.ProcessEnv;
  /** How long a claim lasts without a heartbeat; another runner may take the attempt over after it. */
  leaseMs?: number;
  /** Caps on running attempts across all runners (default from CADRE_MAX_RUNNING / CADRE_MAX_RUNNING_PER_REPO). */
  limits?: QueueLimits;
  /** Where bare mirrors live (default `$CADRE_HOME/mirrors/<repo>.git`). */
  mirrorPath?: (repoId: string) => string;
  log?: (line: string) => void;
}

const GC_INTERVAL_MS = 15 * 60_000;
const LAYER_MAX_AGE_MS = 24 * 3600_000;

/** A cluster-wide limit from the environment: every runner should be given the same value. */
function positiveInt(v: string | undefined): number | null {
  const n = Number(v);
  return v && Number.isInteger(n) && n > 0 ? n : null;
}

interface Active {
  record: AttemptRecord;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * Claims attempts from the PostgreSQL queue (FOR UPDATE SKIP LOCKED) up to its slots, holds each
 * with a lease renewed by heartbeat, and ends a run within a second of its cancellation.
 */
export class Runner {
  readonly id = newId("runner");
  private readonly active = new Map<string, Active>();
  private readonly leaseMs: number;
  private stopping = false;
  private timers: NodeJS.Timeout[] = [];
  private unlisten: (() => Promise<void>)[] = [];
  private claiming = false;
  private wakeAgain = false;
  private readonly ctx: AttemptContext;
  private readonly limits: QueueLimits;

  constructor(private readonly opts: RunnerOptions) {
    this.leaseMs = opts.leaseMs ?? Number(opts.env?.CADRE_LEASE_MS ?? 30_000);
    const log = opts.log ?? ((l: string) => console.log(l));
    const env = opts.env ?? process.env;
    this.limits = opts.limits ?? {
      maxRunning: positiveInt(env.CADRE_MAX_RUNNING),
      maxPerRepo: positiveInt(env.CADRE_MAX_RUNNING_PER_REPO),
    };
    this.ctx = {
      store: opts.store,
      home: opts.home,
      runnerId: this.id,
      secretKey: opts.secretKey,
      env: opts.env ?? process.env,
      log,
      sandboxes: new SandboxManager({ root: join(opts.home, "sandboxes") }),
      mirrorPath: opts.mirrorPath ?? ((repoId) => join(opts.home, "mirrors", `${repoId}.git`)),
      remotes: new ForgeRemotes(opts.store, opts.secretKey, log),
    };
  }

  get name(): string {
    return this.opts.name ?? `${hostname()}-${process.pid}`;
  }

  get activeCount(): number {
    return this.active.size;
  }

  async start(): Promise<void> {
    const { store } = this.opts;
    await store.runners.register(this.id, this.name, this.opts.slots);
    this.unlisten.push(
      await store.db.listen("cadre_queue", () => void this.fill()),
      await store.db.listen("cadre_cancel", (attemptId) => this.cancel(attemptId)),
    );
    const beat = Math.max(200, Math.floor(this.leaseMs / 3));
    this.timers.push(setInterval(() => void this.heartbeat(), beat));
    // Polling catches expired leases of dead runners (no notification announces those).
    this.timers.push(setInterval(() => void this.fill(), Math.min(2000, beat)));
    // Layers no attempt uses any more (expired setups, old bases) are removed now and then.
    this.timers.push(setInterval(() => void this.collectGarbage(), GC_INTERVAL_MS));
    void this.fill();
  }

  private async collectGarbage(): Promise<void> {
    try {
      await this.ctx.sandboxes.gc({ maxAgeMs: LAYER_MAX_AGE_MS });
    } catch (e) {
      this.ctx.log(`sandbox garbage collection failed (will retry): ${(e as Error).message}`);
    }
  }

  private cancel(attemptId: string): void {
    this.active.get(attemptId)?.abort.abort(new Error("cancelled"));
  }

  private async heartbeat(): Promise<void> {
    if (this.stopping) return;
    const { store } = this.opts;
    try {
      const ids = [...this.active.keys()];
      const held = new Set(await store.queue.renew(this.id, ids, this.leaseMs));
      for (const id of ids) if (!held.has(id)) this.active.get(id)?.abort.abort(new LeaseLostError(id));
      for (const id of await store.queue.cancelRequested(this.id)) this.cancel(id);
      await store.runners.heartbeat(this.id, this.active.size, await this.ctx.sandboxes.imageDiskUsage());
    } catch (e) {
      this.ctx.log(`runner heartbeat failed (will retry): ${(e as Error).message}`);
    }
  }

  /** Claims attempts while slots are free. */
  private async fill(): Promise<void> {
    if (this.claiming) {
      this.wakeAgain = true;
      return;
    }
    this.claiming = true;
    try {
      do {
        this.wakeAgain = false;
        while (!this.stopping && this.active.size < this.opts.slots) {
          const record = await this.opts.store.queue.claim(this.id, this.leaseMs, this.limits);
          if (!record) break;
          this.launch(record);
        }
      } while (this.wakeAgain && !this.stopping);
    } catch (e) {
      this.ctx.log(`runner claim failed (will retry): ${(e as Error).message}`);
    } finally {
      this.claiming = false;
    }
  }

  private launch(record: AttemptRecord): void {
    const abort = new AbortController();
    const done = runAttempt(this.ctx, record, abort.signal)
      .catch(async (e: unknown) => {
        if (e instanceof LeaseLostError) return;
        // The database went away mid-write (e.g. a restart; a failure at COMMIT is not retried): the
        // event log is intact either way, so hand the attempt back to resume from it instead of failing it.
        if (isTransient(e)) {
          this.ctx.log(
            `attempt ${record.id} lost the database (${e instanceof Error ? e.message : String(e)}): handing it back to the queue`,
          );
          await this.opts.store.queue.release(this.id, record.id).catch(() => undefined);
          return;
        }
        this.ctx.log(
          `attempt ${record.id} failed internally: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        await this.opts.store.events
          .append(
            record.id,
            record.turnCount,
            [
              {
                type: "status",
                status: "failed",
                reason: "internal",
                message: `internal error: ${e instanceof Error ? e.message : String(e)}`,
              },
            ],
            this.id,
          )
          .catch(() => undefined);
      })
      .finally(() => {
        this.active.delete(record.id);
        void this.fill();
      });
    this.active.set(record.id, { record, abort, done });
  }

  /** Stops claiming, interrupts running attempts and hands them back to the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearInterval(t);
    for (const u of this.unlisten) await u().catch(() => undefined);
    const running = [...this.active.values()];
    // Give the attempts back before interrupting them: their writes are then fenced (so the aborted
    // runs cannot record a cancellation) and another runner resumes them from the event log.
    for (const a of running) await this.opts.store.queue.release(this.id, a.record.id).catch(() => undefined);
    for (const a of running) a.abort.abort(new Error("runner stopping"));
    await Promise.all(running.map((a) => a.done));
    await this.opts.store.runners.remove(this.id).catch(() => undefined);
  }
}
