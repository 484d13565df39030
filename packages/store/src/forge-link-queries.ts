import type { Sql } from "./sql.ts";
import { PARKED_SQL } from "./status-sql.ts";

/** A task's place on its forge. */
export interface ForgeLink {
  taskId: string;
  attemptId: string;
  forgeId: string;
  repoPath: string;
  /** `code` delivers a change; `review` posts a review of a change request. */
  purpose: "code" | "review";
  /** Where it was asked: an issue or a change request, or null (started from Cadre, e.g. `approve --pr`). */
  thread: { kind: "issue" | "change_request"; number: number } | null;
  changeRequest: number | null;
  /** Cadre opened the change request; false when it works on someone else's. */
  ownChangeRequest: boolean;
  branch: string | null;
  pushAllowed: boolean;
  deliveredCommit: string | null;
  handledSeq: number;
  autoFollowups: number;
  checkId: string | null;
}

interface LinkRow {
  task_id: string;
  attempt_id: string;
  forge_id: string;
  repo_path: string;
  purpose: "code" | "review";
  thread_kind: "issue" | "change_request" | null;
  thread_number: number | null;
  change_request: number | null;
  own_change_request: boolean;
  branch: string | null;
  push_allowed: boolean;
  delivered_commit: string | null;
  handled_seq: number;
  auto_followups: number;
  check_id: string | null;
}

function toLink(r: LinkRow): ForgeLink {
  return {
    taskId: r.task_id,
    attemptId: r.attempt_id,
    forgeId: r.forge_id,
    repoPath: r.repo_path,
    purpose: r.purpose,
    thread: r.thread_kind && r.thread_number !== null ? { kind: r.thread_kind, number: r.thread_number } : null,
    changeRequest: r.change_request,
    ownChangeRequest: r.own_change_request,
    branch: r.branch,
    pushAllowed: r.push_allowed,
    deliveredCommit: r.delivered_commit,
    handledSeq: r.handled_seq,
    autoFollowups: r.auto_followups,
    checkId: r.check_id,
  };
}

/** A link whose attempt ended a turn (or asked a question) that nobody has acted on yet. */
export interface FinishedTurn {
  link: ForgeLink;
  turn: number;
  status: string;
  lastSeq: number;
  /** The seq of the status event that ended it: one forge job per end. */
  statusSeq: number;
}

export class ForgeLinkQueries {
  constructor(private readonly sql: Sql) {}

  async create(
    tx: Sql,
    link: Omit<ForgeLink, "deliveredCommit" | "handledSeq" | "autoFollowups" | "checkId"> & { handledSeq?: number },
  ): Promise<void> {
    await tx.query(
      `insert into forge_links (task_id, attempt_id, forge_id, repo_path, purpose, thread_kind, thread_number, change_request, own_change_request, branch, push_allowed, handled_seq)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        link.taskId,
        link.attemptId,
        link.forgeId,
        link.repoPath,
        link.purpose,
        link.thread?.kind ?? null,
        link.thread?.number ?? null,
        link.changeRequest,
        link.ownChangeRequest,
        link.branch,
        link.pushAllowed,
        link.handledSeq ?? 0,
      ],
    );
  }

  async get(taskId: string): Promise<ForgeLink | null> {
    const rows = await this.sql.query<LinkRow>("select * from forge_links where task_id = $1", [taskId]);
    return rows[0] ? toLink(rows[0]) : null;
  }

  /** The task that delivers to (or works on) a change request, newest first. */
  async forChangeRequest(forgeId: string, repoPath: string, number: number): Promise<ForgeLink | null> {
    const rows = await this.sql.query<LinkRow>(
      `select * from forge_links where forge_id = $1 and lower(repo_path) = lower($2) and change_request = $3 and purpose = 'code'
       order by created_at desc limit 1`,
      [forgeId, repoPath, number],
    );
    return rows[0] ? toLink(rows[0]) : null;
  }

  /** The code task whose latest delivered commit is `commit` (a check on it is a check on Cadre's push). */
  async byDeliveredCommit(forgeId: string, repoPath: string, commit: string): Promise<ForgeLink | null> {
    const rows = await this.sql.query<LinkRow>(
      `select * from forge_links where forge_id = $1 and lower(repo_path) = lower($2) and delivered_commit = $3 and purpose = 'code'
       order by created_at desc limit 1`,
      [forgeId, repoPath, commit],
    );
    return rows[0] ? toLink(rows[0]) : null;
  }

  /** Heads of the change requests Cadre opened and still waits on (polling looks for failed checks there). */
  async watchedHeads(forgeId: string, repoPath: string): Promise<{ commit: string; changeRequest: number }[]> {
    const rows = await this.sql.query<{ delivered_commit: string; change_request: number }>(
      `select l.delivered_commit, l.change_request from forge_links l join tasks t on t.id = l.task_id
       where l.forge_id = $1 and lower(l.repo_path) = lower($2) and l.purpose = 'code' and l.own_change_request
         and l.delivered_commit is not null and l.change_request is not null and t.review_state = 'pending'`,
      [forgeId, repoPath],
    );
    return rows.map((r) => ({ commit: r.delivered_commit, changeRequest: r.change_request }));
  }

  /** A review task already made for this change request at this commit, if any. */
  async reviewOf(forgeId: string, repoPath: string, number: number, commit: string): Promise<string | null> {
    const rows = await this.sql.query<{ task_id: string }>(
      `select l.task_id from forge_links l join tasks t on t.id = l.task_id
       where l.forge_id = $1 and lower(l.repo_path) = lower($2) and l.change_request = $3 and l.purpose = 'review' and t.base_commit = $4`,
      [forgeId, repoPath, number, commit],
    );
    return rows[0]?.task_id ?? null;
  }

  /**
   * Links whose attempt is parked (completed, failed, cancelled or waiting for input) with events
   * newer than what was handled: each one's end is acted on once (the caller keys jobs by `statusSeq`).
   */
  async finishedTurns(limit = 50): Promise<FinishedTurn[]> {
    const rows = await this.sql.query<
      LinkRow & { turn_count: number; status: string; last_seq: number; status_seq: number | null }
    >(
      `select l.*, a.turn_count, a.status, a.last_seq,
         (select max(e.seq) from events e where e.attempt_id = a.id and e.type = 'status') as status_seq
       from forge_links l join attempts a on a.id = l.attempt_id
       where a.status in (${PARKED_SQL}) and not a.needs_run and a.last_seq > l.handled_seq
       order by a.updated_at limit $1`,
      [limit],
    );
    return rows.map((r) => ({
      link: toLink(r),
      turn: r.turn_count,
      status: r.status,
      lastSeq: r.last_seq,
      statusSeq: r.status_seq ?? 0,
    }));
  }

  /** Marks everything up to `seq` handled (in the caller's transaction); false if someone else went further first. */
  async markHandled(tx: Sql, taskId: string, seq: number): Promise<boolean> {
    const rows = await tx.query<{ task_id: string }>(
      "update forge_links set handled_seq = $2 where task_id = $1 and handled_seq < $2 returning task_id",
      [taskId, seq],
    );
    return rows.length > 0;
  }

  async setDelivered(taskId: string, d: { changeRequest: number; branch: string; commit: string }): Promise<void> {
    await this.sql.query(
      "update forge_links set change_request = $2, branch = $3, delivered_commit = $4 where task_id = $1",
      [taskId, d.changeRequest, d.branch, d.commit],
    );
  }

  async setCheckId(taskId: string, checkId: string): Promise<void> {
    await this.sql.query("update forge_links set check_id = $2 where task_id = $1", [taskId, checkId]);
  }

  /** Counts one automatic follow-up (in the caller's transaction); false once `max` are used. */
  async takeAutoFollowup(tx: Sql, taskId: string, max: number): Promise<boolean> {
    const rows = await tx.query<{ task_id: string }>(
      "update forge_links set auto_followups = auto_followups + 1 where task_id = $1 and auto_followups < $2 returning task_id",
      [taskId, max],
    );
    return rows.length > 0;
  }
}
