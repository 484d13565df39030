import type {
  AttemptStatus,
  Delivery,
  PartialPull,
  PotentialConflict,
  Task,
  TaskMode,
  TaskOrigin,
  TaskWithAttempts,
  Usage,
} from "@cadre/protocol";
import type { Sql, SqlParam } from "./sql.ts";
import { newId } from "./new-id.ts";
import { toAttempt, toTask, type AttemptRow, type TaskRow } from "./rows.ts";
import { TASK_STATUS_SQL } from "./status-sql.ts";

/** The task's derived status and summed usage, computed from its attempts in SQL so filters and paging agree. */
const TASK_SELECT = `
select t.*, r.name as repo_name, nullif(env.test_command, '') as env_test_command, s.*
from tasks t
join repos r on r.id = t.repo_id
left join environments env on env.id = t.environment_id
join lateral (
  select
    ${TASK_STATUS_SQL} as derived_status,
    coalesce(sum((a.usage->>'inputTokens')::bigint), 0) as u_input,
    coalesce(sum((a.usage->>'cachedInputTokens')::bigint), 0) as u_cached,
    coalesce(sum((a.usage->>'outputTokens')::bigint), 0) as u_output,
    coalesce(sum((a.usage->>'reasoningTokens')::bigint), 0) as u_reasoning,
    coalesce(sum((a.usage->>'costUsd')::float8), 0) as u_cost
  from attempts a where a.task_id = t.id
) s on true`;

type TaskListRow = TaskRow & {
  derived_status: string;
  u_input: string;
  u_cached: string;
  u_output: string;
  u_reasoning: string;
  u_cost: number;
};

function fromListRow(r: TaskListRow): Task {
  const usage: Usage = {
    inputTokens: Number(r.u_input),
    cachedInputTokens: Number(r.u_cached),
    outputTokens: Number(r.u_output),
    reasoningTokens: Number(r.u_reasoning),
    costUsd: Number(r.u_cost),
  };
  return toTask(r, r.derived_status as AttemptStatus, usage);
}

export interface NewTask {
  title: string;
  prompt: string;
  repoId: string;
  baseRef: string;
  baseCommit: string;
  environmentId: string | null;
  attemptCount: number;
  mode: TaskMode;
  model: string;
  createdBy: string;
  priority?: number;
  expectedPaths?: string[];
  potentialConflicts?: PotentialConflict[];
  queueAfter?: string[];
  /** The forge issue or change request that asked for it. */
  origin?: TaskOrigin | null;
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(`${createdAt}|${id}`).toString("base64url");
}
function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  const [createdAt, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (!createdAt || !id || Number.isNaN(Date.parse(createdAt))) return null;
  return { createdAt, id };
}

export class TaskQueries {
  constructor(private readonly sql: Sql) {}

  /**
   * Inserts the task and its N queued attempts in one transaction. `within` runs in the same
   * transaction after the insert (a forge delivery is marked done with its task, or neither is).
   */
  async create(t: NewTask, within?: (tx: Sql, taskId: string) => Promise<void>): Promise<string> {
    const taskId = newId("task");
    await this.sql.transaction(async (tx) => {
      await tx.query(
        `insert into tasks (id, title, prompt, repo_id, base_ref, base_commit, environment_id, attempt_count, mode, model, created_by, priority, expected_paths, potential_conflicts, queue_after, origin)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14::jsonb, $15::jsonb, $16::jsonb)`,
        [
          taskId,
          t.title,
          t.prompt,
          t.repoId,
          t.baseRef,
          t.baseCommit,
          t.environmentId,
          t.attemptCount,
          t.mode,
          t.model,
          t.createdBy,
          t.priority ?? 0,
          JSON.stringify(t.expectedPaths ?? []),
          JSON.stringify(t.potentialConflicts ?? []),
          JSON.stringify(t.queueAfter ?? []),
          t.origin ? JSON.stringify(t.origin) : null,
        ],
      );
      for (let i = 1; i <= t.attemptCount; i++) {
        await tx.query(
          `insert into attempts (id, task_id, idx, status, usage, needs_run, pending_input) values ($1, $2, $3, 'queued', $4::jsonb, true, $5::jsonb)`,
          [
            newId("att"),
            taskId,
            i,
            JSON.stringify({ inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: 0 }),
            JSON.stringify({ kind: "prompt", text: t.prompt }),
          ],
        );
      }
      await within?.(tx, taskId);
      await tx.query("select pg_notify('cadre_queue', $1)", [taskId]);
      await tx.query("select pg_notify('cadre_tasks', $1)", [taskId]);
    });
    return taskId;
  }

  /** The repo a task belongs to (access checks need only this). */
  async repoOf(id: string): Promise<string | null> {
    const rows = await this.sql.query<{ repo_id: string }>("select repo_id from tasks where id = $1", [id]);
    return rows[0]?.repo_id ?? null;
  }

  async get(id: string): Promise<TaskWithAttempts | null> {
    const rows = await this.sql.query<TaskListRow>(`${TASK_SELECT} where t.id = $1`, [id]);
    const row = rows[0];
    if (!row) return null;
    const attempts = await this.sql.query<AttemptRow>("select * from attempts where task_id = $1 order by idx", [id]);
    return { ...fromListRow(row), attempts: attempts.map(toAttempt) };
  }

  async list(f: {
    status?: AttemptStatus;
    repoId?: string;
    repoIds?: string[] | null;
    q?: string;
    limit: number;
    cursor?: string;
  }): Promise<{ items: Task[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: SqlParam[] = [];
    const add = (clause: string, value: SqlParam) => {
      params.push(value);
      where.push(clause.replace("?", `$${params.length}`));
    };
    if (f.status) add("s.derived_status = ?", f.status);
    if (f.repoId) add("t.repo_id = ?", f.repoId);
    // Only these repos (what a non-admin was granted); null or absent means every repo.
    if (f.repoIds) add("t.repo_id = any(?)", f.repoIds);
    if (f.q) {
      params.push(`%${f.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
      where.push(`(t.title ilike $${params.length} or t.prompt ilike $${params.length})`);
    }
    if (f.cursor) {
      const c = decodeCursor(f.cursor);
      if (c) {
        params.push(c.createdAt, c.id);
        where.push(`(t.created_at, t.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
      }
    }
    params.push(f.limit + 1);
    const rows = await this.sql.query<TaskListRow>(
      `${TASK_SELECT} ${where.length ? "where " + where.join(" and ") : ""} order by t.created_at desc, t.id desc limit $${params.length}`,
      params,
    );
    const items = rows.slice(0, f.limit).map(fromListRow);
    const last = items[items.length - 1];
    return { items, nextCursor: rows.length > f.limit && last ? encodeCursor(last.createdAt, last.id) : null };
  }

  /** Records where the change went (a pull request) without ending the review: that follows the forge. */
  async setDelivery(id: string, delivery: Delivery): Promise<void> {
    await this.sql.query("update tasks set review_delivery = $2::jsonb, updated_at = now() where id = $1", [
      id,
      JSON.stringify(delivery),
    ]);
    await this.sql.query("select pg_notify('cadre_tasks', $1)", [id]);
  }

  async setReview(
    id: string,
    r: {
      state: "applied" | "rejected";
      attemptId: string | null;
      delivery: Delivery | null;
      by: string;
      reason: string | null;
    },
  ): Promise<void> {
    await this.sql.query(
      `update tasks set review_state = $2, review_attempt_id = $3, review_delivery = $4::jsonb, review_by = $5, review_at = now(), review_reason = $6, updated_at = now() where id = $1`,
      [id, r.state, r.attemptId, r.delivery ? JSON.stringify(r.delivery) : null, r.by, r.reason],
    );
    await this.sql.query("select pg_notify('cadre_tasks', $1)", [id]);
  }

  /** Records a pull of part of the change into a local working tree; the review state is left alone. */
  async setPulled(id: string, pulled: PartialPull): Promise<void> {
    await this.sql.query(`update tasks set review_pulled = $2::jsonb, updated_at = now() where id = $1`, [
      id,
      JSON.stringify(pulled),
    ]);
    await this.sql.query("select pg_notify('cadre_tasks', $1)", [id]);
  }

  /**
   * Other tasks on a repo and base branch that may still land: pending review, not every attempt
   * failed or cancelled. Their expected paths are compared with a new task's before it starts.
   */
  async activeOnBranch(
    repoId: string,
    baseRef: string,
  ): Promise<{ id: string; title: string; expectedPaths: string[] }[]> {
    const rows = await this.sql.query<{ id: string; title: string; expected_paths: unknown }>(
      `select t.id, t.title, t.expected_paths from tasks t
       where t.repo_id = $1 and t.base_ref = $2 and t.review_state = 'pending'
         and exists (select 1 from attempts a where a.task_id = t.id and a.status not in ('failed', 'cancelled'))
       order by t.created_at`,
      [repoId, baseRef],
    );
    return rows.map((r) => ({
      id: r.id,
      title: r.title,
      expectedPaths: (typeof r.expected_paths === "string"
        ? JSON.parse(r.expected_paths)
        : r.expected_paths) as string[],
    }));
  }
}
