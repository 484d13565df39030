import type { AutomationRecord, EndedRun } from "@cadre/store";
import type { ServerContext } from "../server-context.ts";
import { automationNow } from "./automation-clock.ts";
import { deliverRun } from "./deliver-run.ts";
import { latestSlot } from "./schedule.ts";
import { startRun } from "./start-run.ts";

/**
 * Runs in every server instance: on each tick it offers every active schedule its latest slot
 * (the run row's unique key lets one instance have it, however many look), and it ends the runs
 * whose tasks have ended (delivering their change, counting failures) under a lease, so a run an
 * instance died delivering is taken up by another once the lease passed. Only the latest slot is
 * offered, so slots missed while every server was down run once, as one.
 */
export class AutomationWorker {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly ctx: ServerContext,
    private readonly tickMs = Number(ctx.env.CADRE_AUTOMATION_TICK_MS ?? 15_000),
    /** How long an instance holds a run it delivers; past it (the instance died) another takes it up. */
    private readonly deliveryLeaseMs = Number(ctx.env.CADRE_AUTOMATION_DELIVERY_LEASE_MS ?? 10 * 60_000),
  ) {}

  async start(): Promise<void> {
    this.unlisten = await this.ctx.store.db.listen("cadre_tasks", () => this.kick());
    this.timer = setInterval(() => this.kick(), this.tickMs);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.unlisten?.().catch(() => undefined);
    await this.busy;
  }

  /** One pass at a time per instance; a kick during a pass runs one more after it. */
  private kick(): void {
    if (this.stopped) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = this.pass()
      .catch((error: Error) => this.ctx.forges.log(`automations: ${error.message}`))
      .finally(() => {
        this.busy = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async pass(): Promise<void> {
    for (const automation of await this.ctx.store.automations.activeSchedules()) await this.offerSlot(automation);
    for (const ended of await this.ctx.store.automations.endedRuns()) await this.finish(ended);
  }

  private async offerSlot(automation: AutomationRecord): Promise<void> {
    if (automation.trigger.kind !== "schedule") return;
    const slot = latestSlot(automation.trigger.cron, automationNow(this.ctx.env));
    if (!slot || slot.getTime() <= new Date(automation.scheduleFrom).getTime()) return;
    const at = slot.toISOString();
    await startRun(this.ctx, automation, { trigger: "schedule", detail: `slot ${at}`, slotKey: `slot:${at}` });
  }

  private async finish(ended: EndedRun): Promise<void> {
    const { store } = this.ctx;
    const automation = await store.automations.find(ended.automationId);
    if (!automation || !(await store.automations.claimEnded(ended.runId, this.deliveryLeaseMs))) return;
    let failed = !ended.completed;
    let error: string | null = null;
    let outcome: string | null = null;
    if (failed) {
      const task = await store.tasks.get(ended.taskId);
      const attempt = task?.attempts.find((candidate) => candidate.failureMessage) ?? task?.attempts[0];
      error = attempt?.failureMessage ?? `the task ended ${attempt?.status ?? "without finishing"}`;
    } else {
      try {
        outcome = await deliverRun(this.ctx, automation, ended.taskId);
      } catch (deliveryError) {
        failed = true;
        error = `delivery failed: ${(deliveryError as Error).message}`;
      }
    }
    await store.db.transaction((tx) =>
      store.automations.finishRun(tx, { id: ended.runId, automationId: automation.id, failed, error, outcome }),
    );
  }
}
