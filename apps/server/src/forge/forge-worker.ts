import { randomBytes } from "node:crypto";
import { ForgeLinkQueries, type DeliveryRecord, type JobRecord } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import { queueJobs } from "./decisions.ts";
import { processDelivery } from "./delivery-processor.ts";
import { job } from "./forge-jobs.ts";
import { forgeScope } from "./forge-scope.ts";
import { runJob } from "./job-runner.ts";
import { pollForges } from "./forge-poller.ts";
import { noteOnTask } from "./task-notice.ts";

export interface ForgeWorkerOptions {
  /** Deliveries and jobs handled at once (each waits on the forge and git). */
  concurrency?: number;
  /** How long a claimed delivery or job is this worker's before another may take it. */
  leaseMs?: number;
  /** How often it looks for finished turns, due retries and polling turns without being woken. */
  tickMs?: number;
}

/**
 * Works off the forge inbox and outbox in every server instance: deliveries and jobs are claimed
 * with FOR UPDATE SKIP LOCKED, so instances share the work and each item is done once. Woken by
 * NOTIFY (a new delivery, a task that changed) and by a tick for retries and polling.
 */
export class ForgeWorker {
  private readonly worker = `forge_${process.pid}_${randomBytes(4).toString("hex")}`;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private lanes = 0;
  private sweeping: Promise<void> | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>)[] = [];
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly ctx: ServerContext,
    opts: ForgeWorkerOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? Number(ctx.env.CADRE_FORGE_CONCURRENCY ?? 8);
    this.leaseMs = opts.leaseMs ?? Number(ctx.env.CADRE_FORGE_LEASE_MS ?? 120_000);
    this.tickMs = opts.tickMs ?? 1000;
  }

  async start(): Promise<void> {
    this.unlisten.push(await this.ctx.store.db.listen("cadre_forge", () => this.kick()));
    this.unlisten.push(await this.ctx.store.db.listen("cadre_tasks", () => this.sweepSoon()));
    this.timer = setInterval(() => {
      this.kick();
      this.sweepSoon();
      this.track(pollForges(this.ctx).catch((error: Error) => this.ctx.forges.log(`forge polling: ${error.message}`)));
    }, this.tickMs);
    this.kick();
    this.sweepSoon();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const unlisten of this.unlisten) await unlisten().catch(() => undefined);
    await Promise.allSettled([...this.running]);
  }

  private track(work: Promise<void>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** Starts lanes up to the concurrency; each takes work until none is due. */
  kick(): void {
    while (!this.stopped && this.lanes < this.concurrency) {
      this.lanes += 1;
      this.track(
        this.lane()
          .catch((error: Error) => this.ctx.forges.log(`forge worker: ${error.message}`))
          .finally(() => {
            this.lanes -= 1;
          }),
      );
    }
  }

  private async lane(): Promise<void> {
    while (!this.stopped) {
      // Each claim has its own holder, so a claim taken over is fenced even within this process.
      const holder = `${this.worker}_${randomBytes(4).toString("hex")}`;
      const delivery = await this.ctx.store.forgeWork.claimDelivery(holder, this.leaseMs);
      if (delivery) {
        const key = { forgeId: delivery.forgeId, id: delivery.deliveryId };
        await this.renewing("deliveries", key, holder, () => this.handleDelivery(delivery, holder));
        continue;
      }
      const claimed = await this.ctx.store.forgeWork.claimJob(holder, this.leaseMs);
      if (!claimed) return;
      const key = { forgeId: claimed.forgeId, id: claimed.id };
      await this.renewing("jobs", key, holder, () => this.handleJob(claimed, holder));
    }
  }

  /** Renews a claim while its work runs, so a slow forge does not hand the work to a second worker. */
  private async renewing(
    table: "deliveries" | "jobs",
    key: { forgeId: string; id: string },
    holder: string,
    work: () => Promise<void>,
  ): Promise<void> {
    const timer = setInterval(
      () => void this.ctx.store.forgeWork.renewClaim(table, key, holder, this.leaseMs).catch(() => undefined),
      Math.max(250, this.leaseMs / 3),
    );
    try {
      await work();
    } finally {
      clearInterval(timer);
    }
  }

  private async handleDelivery(delivery: DeliveryRecord, holder: string): Promise<void> {
    try {
      await processDelivery(this.ctx, delivery, holder);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.forges.log(`forge delivery ${delivery.deliveryId} (${delivery.event}): ${message}`);
      await this.ctx.store.forgeWork.retryDelivery({ ...delivery, holder, error: `failed: ${message}` });
    }
  }

  private async handleJob(claimed: JobRecord, holder: string): Promise<void> {
    try {
      const forge = await this.ctx.store.forges.find(claimed.forgeId);
      if (forge) await runJob(forgeScope(this.ctx, forge), claimed);
      await this.ctx.store.db.transaction((tx) => this.ctx.store.forgeWork.finishJob(tx, claimed.id, holder));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.forges.log(`forge job ${claimed.key}: ${message}`);
      await this.ctx.store.forgeWork.retryJob({ id: claimed.id, holder, error: message, attempts: claimed.attempts });
      await noteOnTask(this.ctx, claimed, error).catch(() => undefined);
    }
  }

  /** Turns attempts that ended (or asked) into forge jobs; one sweep at a time per instance. */
  private sweepSoon(): void {
    if (this.stopped || this.sweeping) return;
    this.sweeping = this.sweep()
      .catch((error: Error) => this.ctx.forges.log(`forge sweep: ${error.message}`))
      .finally(() => {
        this.sweeping = null;
      });
    this.track(this.sweeping);
  }

  private async sweep(): Promise<void> {
    for (const finished of await this.ctx.store.forgeLinks.finishedTurns()) {
      const { link } = finished;
      await this.ctx.store.db.transaction(async (tx) => {
        if (!(await new ForgeLinkQueries(tx).markHandled(tx, link.taskId, finished.lastSeq))) return;
        await queueJobs(tx, [
          job(link.forgeId, `turn-end:${link.taskId}:${finished.statusSeq}`, "turn_end", {
            taskId: link.taskId,
            turn: finished.turn,
            status: finished.status,
          }),
        ]);
      });
    }
  }
}
