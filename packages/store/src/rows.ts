import type {
  Attempt,
  AttemptStatus,
  Delivery,
  Environment,
  FailureReason,
  PartialPull,
  Repo,
  Task,
  TaskMode,
  Turn,
  Usage,
  WaitingFor,
} from "@cadre/protocol";
import {
  DEFAULT_REPO_FORGE_SETTINGS,
  ForgeKind,
  ZERO_USAGE,
  type RepoForgeSettings,
  type TaskOrigin,
} from "@cadre/protocol";

export function iso(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return new Date(String(v)).toISOString();
}
export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}
function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}

export interface RepoRow {
  id: string;
  name: string;
  origin: string;
  default_branch: string;
  created_at: Date;
  forge_id?: string | null;
  forge_name?: string | null;
  forge_kind?: string | null;
  forge_repo?: string | null;
  forge_settings?: unknown;
  forge_webhook?: string | null;
}
export function toRepo(r: RepoRow): Repo {
  const kind = ForgeKind.safeParse(r.forge_kind).data;
  const forge =
    r.forge_name && r.forge_repo
      ? {
          name: r.forge_name,
          ...(kind ? { kind } : {}),
          repoPath: r.forge_repo,
          settings: { ...DEFAULT_REPO_FORGE_SETTINGS, ...json<Partial<RepoForgeSettings>>(r.forge_settings, {}) },
          webhook: (r.forge_webhook ?? "manual") as NonNullable<Repo["forge"]>["webhook"],
        }
      : null;
  return {
    id: r.id,
    name: r.name,
    origin: r.origin,
    defaultBranch: r.default_branch,
    forge,
    createdAt: iso(r.created_at),
  };
}

export interface EnvironmentRow {
  id: string;
  name: string;
  repo_id: string | null;
  allowed_repo_ids: unknown;
  setup_script: string;
  maintenance_script: string;
  variables: unknown;
  secrets: unknown;
  network_policy: unknown;
  limits: unknown;
  test_command: string;
  instructions: string;
  setup_ttl_ms: string | number;
  image: string | null;
  created_at: Date;
  updated_at: Date;
}
export function toEnvironment(r: EnvironmentRow): Environment {
  return {
    id: r.id,
    name: r.name,
    repoId: r.repo_id,
    allowedRepoIds: json<string[]>(r.allowed_repo_ids, []),
    setupScript: r.setup_script,
    maintenanceScript: r.maintenance_script,
    variables: json(r.variables, {}),
    secretNames: Object.keys(json<Record<string, string>>(r.secrets, {})).sort(),
    networkPolicy: json(r.network_policy, { mode: "off", allow: [], readOnlyMethods: false }),
    limits: json(r.limits, {} as Environment["limits"]),
    testCommand: r.test_command,
    instructions: r.instructions,
    setupTtlMs: Number(r.setup_ttl_ms),
    image: r.image ?? null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface AttemptRow {
  id: string;
  task_id: string;
  idx: number;
  status: string;
  waiting_for: string | null;
  failure_reason: string | null;
  failure_message: string | null;
  summary: string | null;
  head_commit: string | null;
  turn_count: number;
  tests_passed: boolean | null;
  image_reference: string | null;
  image_digest: string | null;
  usage: unknown;
  last_seq: number;
  base_commit: string | null;
  diff_stats: unknown;
  needs_run: boolean;
  pending_input: unknown;
  cancel_requested: boolean;
  runner_id: string | null;
  lease_expires_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}
export function toAttempt(r: AttemptRow): Attempt {
  return {
    id: r.id,
    taskId: r.task_id,
    index: r.idx,
    status: r.status as AttemptStatus,
    waitingFor: r.waiting_for as WaitingFor | null,
    failureReason: r.failure_reason as FailureReason | null,
    failureMessage: r.failure_message,
    summary: r.summary,
    headCommit: r.head_commit,
    baseCommit: r.base_commit ?? null,
    changes: json(r.diff_stats, null),
    turnCount: r.turn_count,
    runnerId: r.runner_id,
    testsPassed: r.tests_passed,
    image: r.image_reference && r.image_digest ? { reference: r.image_reference, digest: r.image_digest } : null,
    usage: json<Usage>(r.usage, ZERO_USAGE),
    lastSeq: r.last_seq,
    runRequested: r.needs_run,
    createdAt: iso(r.created_at),
    startedAt: isoOrNull(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}

export interface TaskRow {
  id: string;
  title: string;
  prompt: string;
  repo_id: string;
  repo_name: string;
  base_ref: string;
  base_commit: string;
  environment_id: string | null;
  attempt_count: number;
  mode: string;
  model: string;
  priority: number;
  review_state: string;
  review_attempt_id: string | null;
  review_delivery: unknown;
  review_by: string | null;
  review_at: Date | null;
  review_reason: string | null;
  review_pulled: unknown;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  expected_paths: unknown;
  potential_conflicts: unknown;
  queue_after: unknown;
  origin?: unknown;
  env_test_command?: string | null;
}
export function toTask(r: TaskRow, status: AttemptStatus, usage: Usage): Task {
  return {
    id: r.id,
    title: r.title,
    prompt: r.prompt,
    repoId: r.repo_id,
    repoName: r.repo_name,
    baseRef: r.base_ref,
    baseCommit: r.base_commit,
    environmentId: r.environment_id,
    testCommand: r.env_test_command ?? null,
    attemptCount: r.attempt_count,
    mode: r.mode as TaskMode,
    model: r.model,
    status,
    review: {
      state: r.review_state as Task["review"]["state"],
      attemptId: r.review_attempt_id,
      delivery: json<Delivery | null>(r.review_delivery, null),
      by: r.review_by,
      at: isoOrNull(r.review_at),
      reason: r.review_reason,
      pulled: json<PartialPull | null>(r.review_pulled, null),
    },
    usage,
    expectedPaths: json(r.expected_paths, []),
    potentialConflicts: json(r.potential_conflicts, []),
    queueAfter: json(r.queue_after, []),
    createdBy: r.created_by,
    origin: json<TaskOrigin | null>(r.origin, null),
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

export interface TurnRow {
  attempt_id: string;
  idx: number;
  kind: string;
  prompt: string;
  status: string;
  checkpoint_commit: string | null;
  started_at: Date;
  finished_at: Date | null;
}
export function toTurn(r: TurnRow): Turn {
  return {
    attemptId: r.attempt_id,
    index: r.idx,
    kind: r.kind as Turn["kind"],
    prompt: r.prompt,
    status: r.status as Turn["status"],
    checkpointCommit: r.checkpoint_commit,
    startedAt: iso(r.started_at),
    finishedAt: isoOrNull(r.finished_at),
  };
}
