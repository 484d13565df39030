import type { AutomationDeliver, AutomationRun, AutomationTrigger, TaskMode } from "@cadre/protocol";
import { newId } from "./new-id.ts";
import type { Sql } from "./sql.ts";
import { TERMINAL_SQL } from "./status-sql.ts";

/** Failures in a row after which an automation pauses itself. */
export const AUTOMATION_FAILURE_LIMIT = 3;

export interface AutomationRecord {
  id: string;
  name: string;
  repoId: string;
  repoName: string;
  environmentId: string | null;
  prompt: string;
  mode: TaskMode;
  deliver: AutomationDeliver;
  trigger: AutomationTrigger;
  fireTokenHash: string;
  state: "active" | "paused";
  pausedReason: string | null;
  consecutiveFailures: number;
  scheduleFrom: string;
  createdBy: string;
  createdAt: string;
}

export type NewAutomation = Omit<
  AutomationRecord,
  "id" | "repoName" | "state" | "pausedReason" | "consecutiveFailures" | "createdAt"
>;

export interface NewRun {
  automationId: string;
  trigger: AutomationRun["trigger"];
  detail: string;
  /** Unique per automation: a schedule's slot, a forge delivery; null for fire calls. */
  slotKey: string | null;
  taskId: string | null;
  state: AutomationRun["state"];
  error?: string | null;
}

interface AutomationRow {
  id: string;
  name: string;
  repo_id: string;
  repo_name: string;
  environment_id: string | null;
  prompt: string;
  mode: TaskMode;
  deliver: AutomationDeliver;
  trigger: AutomationTrigger | string;
  fire_token_hash: string;
  state: "active" | "paused";
  paused_reason: string | null;
  consecutive_failures: number;
  schedule_from: Date | string;
  created_by: string;
  created_at: Date | string;
}

interface RunRow {
  id: string;
  automation_id: string;
  trigger: AutomationRun["trigger"];
  detail: string;
  task_id: string | null;
  state: AutomationRun["state"];
  error: string | null;
  outcome: string | null;
  created_at: Date | string;
  finished_at: Date | string | null;
}

const iso = (value: Date | string): string => new Date(value).toISOString();

function toAutomation(r: AutomationRow): AutomationRecord {
  return {
    id: r.id,
    name: r.name,
    repoId: r.repo_id,
    repoName: r.repo_name,
    environmentId: r.environment_id,
    prompt: r.prompt,
    mode: r.mode,
    deliver: r.deliver,
    trigger: typeof r.trigger === "string" ? (JSON.parse(r.trigger) as AutomationTrigger) : r.trigger,
    fireTokenHash: r.fire_token_hash,
    state: r.state,
    pausedReason: r.paused_reason,
    consecutiveFailures: r.consecutive_failures,
    scheduleFrom: iso(r.schedule_from),
    createdBy: r.created_by,
    createdAt: iso(r.created_at),
  };
}

function toRun(r: RunRow): AutomationRun {
  return {
    id: r.id,
    automationId: r.automation_id,
    trigger: r.trigger,
    detail: r.detail,
    taskId: r.task_id,
    state: r.state,
    error: r.error,
    outcome: r.outcome,
    createdAt: iso(r.created_at),
    finishedAt: r.finished_at === null ? null : iso(r.finished_at),
  };
}

const SELECT = "select a.*, r.name as repo_name from automations a join repos r on r.id = a.repo_id";

/** Not held by a delivering server: running, or its delivery claim expired (null: claimed before claims expired). */
const UNCLAIMED =
  "(r.state = 'running' or (r.state = 'delivering' and (r.claim_expires_at is null or r.claim_expires_at <= now())))";

/** A run whose task has ended: every attempt finished, and whether one completed. */
export interface EndedRun {
  runId: string;
  automationId: string;
  taskId: string;
  completed: boolean;
}

export class AutomationQueries {
  constructor(private readonly sql: Sql) {}

  async create(automation: NewAutomation): Promise<string> {
    const id = newId("auto");
    await this.sql.query(
      `insert into automations (id, name, repo_id, environment_id, prompt, mode, deliver, trigger, fire_token_hash, schedule_from, created_by)
       values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11)`,
      [
        id,
        automation.name,
        automation.repoId,
        automation.environmentId,
        automation.prompt,
        automation.mode,
        automation.deliver,
        JSON.stringify(automation.trigger),
        automation.fireTokenHash,
        automation.scheduleFrom,
        automation.createdBy,
      ],
    );
    return id;
  }

  /** By id or by name. */
  async find(idOrName: string): Promise<AutomationRecord | null> {
    const rows = await this.sql.query<AutomationRow>(`${SELECT} where a.id = $1 or a.name = $1`, [idOrName]);
    return rows[0] ? toAutomation(rows[0]) : null;
  }

  async list(repoId?: string): Promise<AutomationRecord[]> {
    const rows = repoId
      ? await this.sql.query<AutomationRow>(`${SELECT} where a.repo_id = $1 order by a.name`, [repoId])
      : await this.sql.query<AutomationRow>(`${SELECT} order by a.name`);
    return rows.map(toAutomation);
  }

  async activeSchedules(): Promise<AutomationRecord[]> {
    const rows = await this.sql.query<AutomationRow>(
      `${SELECT} where a.state = 'active' and a.trigger->>'kind' = 'schedule' order by a.id`,
    );
    return rows.map(toAutomation);
  }

  /** Active automations of a repo that start on this forge event. */
  async activeOnEvent(repoId: string, event: string): Promise<AutomationRecord[]> {
    const rows = await this.sql.query<AutomationRow>(
      `${SELECT} where a.state = 'active' and a.repo_id = $1 and a.trigger->>'kind' = 'event' and a.trigger->>'event' = $2 order by a.id`,
      [repoId, event],
    );
    return rows.map(toAutomation);
  }

  async pause(id: string, reason: string): Promise<void> {
    await this.sql.query("update automations set state = 'paused', paused_reason = $2 where id = $1", [id, reason]);
  }

  /** Active again, no failures counted, and a schedule's slots counted from `from`. */
  async resume(id: string, from: string): Promise<void> {
    await this.sql.query(
      "update automations set state = 'active', paused_reason = null, consecutive_failures = 0, schedule_from = $2 where id = $1",
      [id, from],
    );
  }

  async remove(id: string): Promise<void> {
    await this.sql.query("delete from automations where id = $1", [id]);
  }

  async runs(automationId: string, limit: number): Promise<AutomationRun[]> {
    const rows = await this.sql.query<RunRow>(
      "select * from automation_runs where automation_id = $1 order by created_at desc, id desc limit $2",
      [automationId, limit],
    );
    return rows.map(toRun);
  }

  async run(id: string): Promise<AutomationRun | null> {
    const rows = await this.sql.query<RunRow>("select * from automation_runs where id = $1", [id]);
    return rows[0] ? toRun(rows[0]) : null;
  }

  async hasRun(automationId: string, slotKey: string): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      "select id from automation_runs where automation_id = $1 and slot_key = $2",
      [automationId, slotKey],
    );
    return rows.length > 0;
  }

  /**
   * Records a run; null when its slot already has one (another instance took it). A run that
   * failed before its task existed counts as a failure at once.
   */
  async addRun(tx: Sql, run: NewRun): Promise<string | null> {
    const id = newId("run");
    const rows = await tx.query<{ id: string }>(
      `insert into automation_runs (id, automation_id, trigger, detail, slot_key, task_id, state, error, finished_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, case when $7 = 'running' then null else now() end)
       on conflict (automation_id, slot_key) do nothing returning id`,
      [id, run.automationId, run.trigger, run.detail, run.slotKey, run.taskId, run.state, run.error ?? null],
    );
    if (!rows[0]) return null;
    if (run.state !== "running")
      await this.countOutcome(tx, run.automationId, run.state === "failed", run.error ?? null);
    return id;
  }

  /**
   * Runs whose task has ended (every attempt completed, failed or cancelled) and that nobody is
   * delivering: still running, or left delivering by a server whose claim expired (it died).
   */
  async endedRuns(): Promise<EndedRun[]> {
    const rows = await this.sql.query<{ id: string; automation_id: string; task_id: string; completed: boolean }>(
      `select r.id, r.automation_id, r.task_id, bool_or(a.status = 'completed') as completed
       from automation_runs r join attempts a on a.task_id = r.task_id
       where ${UNCLAIMED}
       group by r.id, r.automation_id, r.task_id
       having bool_and(a.status in (${TERMINAL_SQL}))`,
    );
    return rows.map((r) => ({ runId: r.id, automationId: r.automation_id, taskId: r.task_id, completed: r.completed }));
  }

  /**
   * Takes an ended run for delivery for `leaseMs` (or again, once an earlier claim expired); false
   * when another instance holds it.
   */
  async claimEnded(id: string, leaseMs: number): Promise<boolean> {
    const rows = await this.sql.query<{ id: string }>(
      `update automation_runs r set state = 'delivering', claim_expires_at = now() + make_interval(secs => $2::float8 / 1000)
       where r.id = $1 and ${UNCLAIMED} returning r.id`,
      [id, leaseMs],
    );
    return rows.length > 0;
  }

  /** Ends a run once (false when it had ended) and counts its outcome. */
  async finishRun(
    tx: Sql,
    run: { id: string; automationId: string; failed: boolean; error: string | null; outcome: string | null },
  ): Promise<boolean> {
    const rows = await tx.query<{ id: string }>(
      `update automation_runs set state = $2, error = $3, outcome = $4, finished_at = now(), claim_expires_at = null
       where id = $1 and state in ('running', 'delivering') returning id`,
      [run.id, run.failed ? "failed" : "succeeded", run.error, run.outcome],
    );
    if (!rows[0]) return false;
    await this.countOutcome(tx, run.automationId, run.failed, run.error);
    return true;
  }

  /** A success clears the count; the AUTOMATION_FAILURE_LIMIT-th failure in a row pauses the automation. */
  private async countOutcome(tx: Sql, automationId: string, failed: boolean, error: string | null): Promise<void> {
    if (!failed) {
      await tx.query("update automations set consecutive_failures = 0 where id = $1", [automationId]);
      return;
    }
    const rows = await tx.query<{ consecutive_failures: number; state: string }>(
      "update automations set consecutive_failures = consecutive_failures + 1 where id = $1 returning consecutive_failures, state",
      [automationId],
    );
    const row = rows[0];
    if (row && row.state === "active" && row.consecutive_failures >= AUTOMATION_FAILURE_LIMIT)
      await tx.query("update automations set state = 'paused', paused_reason = $2 where id = $1", [
        automationId,
        `paused after ${row.consecutive_failures} failed runs in a row${error ? ` (last: ${error.slice(0, 300)})` : ""}: fix the cause, then 'cadre automation resume'`,
      ]);
  }
}
