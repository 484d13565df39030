import {
  CadreError,
  type Environment,
  type EventBody,
  type FailureReason,
  type TaskWithAttempts,
} from "@cadre/protocol";
import { diffStats } from "@cadre/git";
import { deliverFollowUp } from "@cadre/delivery";
import { loadModelConfig, priceFor, resolveModel, runAgent, type AgentOutcome } from "@cadre/agent";
import { testRunRecorder } from "./test-runs.ts";
import { createRedactor, SandboxError, type SandboxManager, type Workspace } from "@cadre/sandbox";
import type { AttemptRecord, RunInput, Store } from "@cadre/store";
import { AttemptCheckpoint } from "./attempt-checkpoint.ts";
import { EventWriter } from "./event-writer.ts";
import { LIVE_OUTPUT_LIMITS, LiveOutputCap } from "./live-output-cap.ts";
import { sandboxEnvironment } from "./attempt-environment.ts";
import { loadBudgets } from "./runner-config.ts";
import { attemptWorkspace } from "./attempt-workspace.ts";
import { rebaseForConflicts } from "./resolve-conflicts.ts";
import type { ForgeRemotes } from "./forge-remote.ts";

export interface AttemptContext {
  store: Store;
  home: string;
  runnerId: string;
  sandboxes: SandboxManager;
  secretKey: Buffer;
  env: NodeJS.ProcessEnv;
  mirrorPath: (repoId: string) => string;
  log: (line: string) => void;
  /** Credentials for repos on a forge (fetch and push). */
  remotes: ForgeRemotes;
}

const TURN_STARTING = new Set(["prompt", "followup", "resolve_conflicts"]);

export function attemptRef(taskId: string, attemptId: string): string {
  return `refs/cadre/tasks/${taskId}/${attemptId}`;
}

type Emit = (b: EventBody) => Promise<void>;

/** How a run ended: the agent's outcome, or a failure the runner itself decided (e.g. the time limit). */
type RunOutcome = AgentOutcome | { kind: "failed"; reason: FailureReason; message: string };

/**
 * Runs one claimed attempt until it completes, fails, is cancelled or waits for input.
 * Every step is an event stored before the next; the workspace is checkpointed into the mirror
 * after file-changing tool calls and at the end of every run.
 */
export async function runAttempt(ctx: AttemptContext, rec: AttemptRecord, signal: AbortSignal): Promise<void> {
  const task = await ctx.store.tasks.get(rec.taskId);
  if (!task) throw new CadreError("internal", `task ${rec.taskId} of attempt ${rec.id} is missing`);
  const environment = task.environmentId ? await ctx.store.environments.find(task.environmentId) : null;
  const sandboxEnv = await sandboxEnvironment(ctx.store, environment, ctx.secretKey, task.repoId);
  const writer = new EventWriter(
    ctx.store,
    rec.id,
    ctx.runnerId,
    rec.turnCount,
    createRedactor(Object.values(sandboxEnv.secrets)),
    new LiveOutputCap(LIVE_OUTPUT_LIMITS, await ctx.store.events.liveOutputBytes(rec.id)),
  );
  const emit: Emit = (b) => writer.emit(b);
  const mirror = ctx.mirrorPath(task.repoId);
  const input = rec.pendingInput;

  if (rec.cancelRequested || signal.aborted) {
    await emit({ type: "status", status: "cancelled", message: "cancelled before it ran" });
    return;
  }
  const startsTurn = input !== null && TURN_STARTING.has(input.kind);
  if (startsTurn || rec.status === "queued") await emit({ type: "status", status: "provisioning" });

  let base = rec.baseCommit ?? task.baseCommit;
  let head = rec.headCommit ?? base;
  let agentInput: RunInput | null = input;
  let fresh = false;
  if (input?.kind === "resolve_conflicts") {
    const repo = await ctx.store.repos.find(task.repoId);
    const remote = repo ? await ctx.remotes.optionsFor(repo) : {};
    const rebased = await rebaseForConflicts({ mirror, branch: task.baseRef, oldBase: base, head, remote });
    if (rebased) {
      base = rebased.base;
      head = rebased.commit;
      fresh = true;
      await ctx.store.attempts.setBase(rec.id, base);
      await emit({ type: "checkpoint", commit: head, turn: writer.turn + 1 });
      agentInput = {
        kind: "resolve_conflicts",
        text: rebased.conflictPaths.length
          ? `${input.text}\nThe branch ${task.baseRef} moved; your change was replayed onto its new head (${base.slice(0, 12)}). These files have conflict markers (<<<<<<< ======= >>>>>>>) to resolve: ${rebased.conflictPaths.join(", ")}. Resolve them keeping both intents, remove every marker, and run the tests.`
          : `${input.text}\nThe branch ${task.baseRef} moved; your change was replayed onto its new head (${base.slice(0, 12)}) without conflicts. Check that it still works (run the tests).`,
      };
    }
  }

  let workspace: Workspace;
  try {
    workspace = await attemptWorkspace(
      ctx.sandboxes,
      {
        attemptId: rec.id,
        mirrorPath: mirror,
        baseCommit: base,
        environment: sandboxEnv,
        readOnly: task.mode === "ask",
        ...(head !== base ? { restoreCommit: head } : {}),
        onSetupOutput: (phase, chunk) => void emit({ type: "setup_output", phase, chunk }).catch(() => undefined),
        onNotice: (level, message) => void emit({ type: "notice", level, message }).catch(() => undefined),
        onNetworkBlocked: (info) => void emit({ type: "network_blocked", ...info }).catch(() => undefined),
      },
      fresh,
    );
  } catch (e) {
    const reason: FailureReason = e instanceof SandboxError ? e.reason : "sandbox_error";
    await emit({ type: "status", status: "failed", reason, message: e instanceof Error ? e.message : String(e) });
    return;
  }
  await recordImage(ctx, rec, workspace, emit);

  const checkpoints = new AttemptCheckpoint({ workspace, mirror, base, head, ref: attemptRef(task.id, rec.id), emit });
  const checkpoint = async (): Promise<string> => {
    if (workspace.readOnly) return head;
    const commit = await checkpoints.commit(
      `Cadre checkpoint: task ${task.id} attempt ${rec.index} turn ${writer.turn}`,
    );
    if (commit !== null && commit !== head) {
      head = commit;
      await emit({ type: "checkpoint", commit: head, turn: writer.turn });
    }
    return head;
  };

  try {
    if (startsTurn) {
      writer.turn += 1;
      await emit({ type: "turn_started", turn: writer.turn });
    }
    await emit({ type: "status", status: "running" });
    // A tool's result is stored only once its file changes are checkpointed: a runner killed between
    // the two would otherwise leave a result whose changes the runner taking over never sees.
    const testRuns = testRunRecorder(ctx.store, rec.id, environment?.testCommand ?? "");
    const durableEmit: Emit = async (b) => {
      if (b.type === "tool_result") await checkpoint();
      await emit(b);
      await testRuns(b);
    };
    // The environment's wall-clock limit for this run: past it the model and the command stop, reason timeout.
    const limitMs = sandboxEnv.limits.attemptTimeoutMs;
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error("attempt time limit")), limitMs);
    let outcome: RunOutcome;
    try {
      outcome = await runModel(
        ctx,
        task,
        environment,
        workspace,
        rec,
        agentInput,
        durableEmit,
        checkpoint,
        AbortSignal.any([signal, deadline.signal]),
      );
    } finally {
      clearTimeout(timer);
    }
    if (deadline.signal.aborted && !signal.aborted && outcome.kind === "cancelled") {
      outcome = {
        kind: "failed",
        reason: "timeout",
        message: `the attempt ran past its limit of ${Math.round(limitMs / 60_000)} minutes (the environment's attemptTimeoutMs); its partial diff is kept`,
      };
    }
    await finish(ctx, { task, environment, rec, workspace, writer, emit, checkpoint, outcome, base });
  } finally {
    await workspace.release().catch((e: Error) => ctx.log(`release of ${rec.id} failed: ${e.message}`));
  }
}

/** The image the attempt runs on, with the digest its setup layer pinned (`cadre task show` shows it). */
async function recordImage(ctx: AttemptContext, rec: AttemptRecord, workspace: Workspace, emit: Emit): Promise<void> {
  const image = workspace.image;
  if (!image || (rec.image?.digest === image.digest && rec.image.reference === image.reference)) return;
  await ctx.store.attempts.setImage(rec.id, image);
  await emit({ type: "notice", level: "info", message: `running on image ${image.reference} (${image.digest})` });
}

async function runModel(
  ctx: AttemptContext,
  task: TaskWithAttempts,
  environment: Environment | null,
  workspace: Workspace,
  rec: AttemptRecord,
  input: RunInput | null,
  emit: Emit,
  checkpoint: () => Promise<string>,
  signal: AbortSignal,
): Promise<AgentOutcome> {
  const config = await loadModelConfig(ctx.home);
  let model;
  try {
    model = resolveModel(config, task.model, ctx.env);
  } catch (e) {
    return { kind: "failed", reason: "model_error", message: e instanceof Error ? e.message : String(e) };
  }
  const history = (await ctx.store.events.all(rec.id)).map(
    ({ attemptId: _a, taskId: _t, seq: _s, turn: _u, at: _at, ...body }) => body as EventBody,
  );
  return runAgent({
    model,
    sandbox: workspace,
    mode: task.mode,
    history,
    input,
    instructions: { ...(environment?.instructions ? { environment: environment.instructions } : {}) },
    budgets: await loadBudgets(ctx.home),
    price: priceFor(config, task.model) ?? undefined,
    signal,
    emit,
    inbox: async () =>
      (await ctx.store.messages.pending(rec.id)).map((m) => ({
        id: m.id,
        text: m.text,
        stop: m.stop,
        by: m.createdBy,
      })),
    checkpoint: async () => {
      await checkpoint();
    },
  });
}

interface Finish {
  task: TaskWithAttempts;
  environment: Environment | null;
  rec: AttemptRecord;
  workspace: Workspace;
  writer: EventWriter;
  emit: Emit;
  checkpoint: () => Promise<string>;
  outcome: RunOutcome;
  base: string;
}

async function finish(ctx: AttemptContext, f: Finish): Promise<void> {
  const { task, environment, rec, workspace, writer, emit, checkpoint, outcome, base } = f;
  const mirror = ctx.mirrorPath(task.repoId);
  const commit = await checkpoint();
  if (outcome.kind === "waiting") {
    await emit({ type: "status", status: "waiting_for_input", waitingFor: outcome.waitingFor });
    return;
  }
  const turns = await ctx.store.attempts.turns(rec.id);
  const previous = turns.filter((t) => t.index < writer.turn && t.checkpointCommit).pop()?.checkpointCommit ?? base;
  // Only totals are needed here; a turn that changed nothing runs no git at all.
  const turnStats = await diffStats({ gitDir: mirror, base: previous, head: commit });
  const whole = previous === base ? turnStats : await diffStats({ gitDir: mirror, base, head: commit });
  await ctx.store.attempts.setDiffStats(rec.id, {
    filesChanged: whole.totalFiles,
    additions: whole.additions,
    deletions: whole.deletions,
  });
  await emit({
    type: "turn_completed",
    turn: Math.max(writer.turn, 1),
    commit: commit === base ? null : commit,
    filesChanged: turnStats.totalFiles,
    additions: turnStats.additions,
    deletions: turnStats.deletions,
  });

  if (outcome.kind === "completed") {
    await ctx.store.attempts.setSummary(rec.id, outcome.summary);
    if (environment?.testCommand) {
      const run = await workspace.exec(environment.testCommand, { timeoutMs: environment.limits.commandTimeoutMs });
      const passed = run.exitCode === 0;
      await ctx.store.attempts.setTestsPassed(rec.id, passed);
      await emit({
        type: "notice",
        level: passed ? "info" : "warning",
        message: `test command '${environment.testCommand}' ${passed ? "passed" : `failed (exit ${run.exitCode ?? "killed"}${run.limit ? `, ${run.limit}` : ""})`}`,
      });
    }
    await repushBranch(ctx, task, rec, commit, emit);
    await emit({ type: "status", status: "completed" });
    // Messages sent after the agent's last step (while tests ran, say) become a follow-up turn.
    await ctx.store.messages.followUpLeftovers(rec.id);
  } else if (outcome.kind === "cancelled") {
    await emit({ type: "status", status: "cancelled", message: "cancelled; the partial diff is kept" });
  } else {
    await emit({ type: "status", status: "failed", reason: outcome.reason, message: outcome.message });
  }
}

/**
 * A change delivered as a pushed branch follows its follow-ups: each finished turn lands as one
 * more commit on top of the delivered one (see `deliverFollowUp`), never forced.
 */
async function repushBranch(
  ctx: AttemptContext,
  task: TaskWithAttempts,
  rec: AttemptRecord,
  commit: string,
  emit: Emit,
): Promise<void> {
  const d = task.review.delivery;
  if (d?.kind !== "push_branch" || task.review.attemptId !== rec.id || d.commit === commit) return;
  const repo = await ctx.store.repos.find(task.repoId);
  if (!repo) return;
  try {
    const turns = await ctx.store.attempts.turns(rec.id);
    const delivery = await deliverFollowUp({
      store: ctx.store,
      env: ctx.env,
      gitDir: ctx.mirrorPath(task.repoId),
      origin: repo.origin,
      task,
      delivery: d,
      head: commit,
      instruction: turns.at(-1)?.kind === "followup" ? (turns.at(-1)?.prompt ?? null) : null,
      summary: (await ctx.store.attempts.get(rec.id))?.summary ?? null,
      remote: await ctx.remotes.optionsFor(repo),
    });
    if (!delivery) return;
    await ctx.store.tasks.setReview(task.id, {
      state: "applied",
      attemptId: rec.id,
      delivery,
      by: task.review.by ?? "cadre",
      reason: null,
    });
    if (delivery.commit !== d.commit)
      await emit({ type: "notice", level: "info", message: `pushed the follow-up to ${d.branch}` });
  } catch (e) {
    await emit({
      type: "notice",
      level: "warning",
      message: `could not push the follow-up to ${d.branch}: ${(e as Error).message}`,
    });
  }
}
