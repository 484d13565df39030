import { CadreError, type Environment, type EventBody, type FailureReason, type TaskWithAttempts } from "@cadre/protocol";
import { commitChanges, diffCommits } from "@cadre/git";
import { loadModelConfig, priceFor, resolveModel, runAgent, type AgentOutcome } from "@cadre/agent";
import { createRedactor, SandboxError, type SandboxManager, type Workspace } from "@cadre/sandbox";
import type { AttemptRecord, Store } from "@cadre/store";
import { EventWriter } from "./event-writer.ts";
import { sandboxEnvironment } from "./attempt-environment.ts";
import { loadBudgets } from "./runner-config.ts";

export interface AttemptContext {
  store: Store;
  home: string;
  runnerId: string;
  sandboxes: SandboxManager;
  secretKey: Buffer;
  env: NodeJS.ProcessEnv;
  mirrorPath: (repoId: string) => string;
  log: (line: string) => void;
}

const TURN_STARTING = new Set(["prompt", "followup", "resolve_conflicts"]);

export function attemptRef(taskId: string, attemptId: string): string {
  return `refs/cadre/tasks/${taskId}/${attemptId}`;
}

/**
 * Runs one claimed attempt until it completes, fails, is cancelled or waits for input.
 * Every step is an event stored before the next; the workspace is checkpointed into the mirror
 * after file-changing tool calls and at the end of every run.
 */
export async function runAttempt(ctx: AttemptContext, rec: AttemptRecord, signal: AbortSignal): Promise<void> {
  const task = await ctx.store.tasks.get(rec.taskId);
  if (!task) throw new CadreError("internal", `task ${rec.taskId} of attempt ${rec.id} is missing`);
  const environment = task.environmentId ? await ctx.store.environments.find(task.environmentId) : null;
  const sandboxEnv = await sandboxEnvironment(ctx.store, environment, ctx.secretKey);
  const redact = createRedactor(Object.values(sandboxEnv.secrets));
  const writer = new EventWriter(ctx.store, rec.id, ctx.runnerId, rec.turnCount, redact);
  const emit = (b: EventBody) => writer.emit(b);
  const mirror = ctx.mirrorPath(task.repoId);
  const input = rec.pendingInput;

  if (rec.cancelRequested || signal.aborted) {
    await emit({ type: "status", status: "cancelled", message: "cancelled before it ran" });
    return;
  }

  const startsTurn = input !== null && TURN_STARTING.has(input.kind);
  if (startsTurn || rec.status === "queued") await emit({ type: "status", status: "provisioning" });

  let workspace: Workspace;
  try {
    workspace = await ctx.sandboxes.provision({
      attemptId: rec.id, mirrorPath: mirror, baseCommit: task.baseCommit, environment: sandboxEnv, readOnly: task.mode === "ask",
      ...(rec.headCommit && rec.headCommit !== task.baseCommit ? { restoreCommit: rec.headCommit } : {}),
      onSetupOutput: (phase, chunk) => void emit({ type: "setup_output", phase, chunk }).catch(() => undefined),
      onNotice: (level, message) => void emit({ type: "notice", level, message }).catch(() => undefined),
      onNetworkBlocked: (info) => void emit({ type: "network_blocked", ...info }).catch(() => undefined),
    });
  } catch (e) {
    const reason: FailureReason = e instanceof SandboxError ? e.reason : "sandbox_error";
    await emit({ type: "status", status: "failed", reason, message: e instanceof Error ? e.message : String(e) });
    return;
  }

  let head = rec.headCommit ?? task.baseCommit;
  const checkpoint = async (): Promise<string> => {
    const changes = await workspace.changes();
    const result = await commitChanges({
      gitDir: mirror, parent: task.baseCommit, changes, ref: attemptRef(task.id, rec.id),
      message: `Cadre checkpoint: task ${task.id} attempt ${rec.index} turn ${writer.turn}`,
    });
    if (result.commit !== head) {
      head = result.commit;
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
    const outcome = await runModel(ctx, task, environment, workspace, rec, emit, checkpoint, signal);
    await finish(ctx, task, environment, rec, workspace, writer, emit, checkpoint, outcome);
  } finally {
    await workspace.release().catch((e: Error) => ctx.log(`release of ${rec.id} failed: ${e.message}`));
  }
}

async function runModel(
  ctx: AttemptContext, task: TaskWithAttempts, environment: Environment | null, workspace: Workspace, rec: AttemptRecord,
  emit: (b: EventBody) => Promise<void>, checkpoint: () => Promise<string>, signal: AbortSignal,
): Promise<AgentOutcome> {
  const config = await loadModelConfig(ctx.home);
  let model;
  try {
    model = resolveModel(config, task.model, ctx.env);
  } catch (e) {
    return { kind: "failed", reason: "model_error", message: e instanceof Error ? e.message : String(e) };
  }
  const history = (await ctx.store.events.all(rec.id)).map(({ attemptId: _a, taskId: _t, seq: _s, turn: _u, at: _at, ...body }) => body as EventBody);
  return runAgent({
    model, sandbox: workspace, mode: task.mode, history, input: rec.pendingInput,
    instructions: { ...(environment?.instructions ? { environment: environment.instructions } : {}) },
    budgets: await loadBudgets(ctx.home), price: priceFor(config, task.model) ?? undefined, signal, emit,
    checkpoint: async () => {
      await checkpoint();
    },
  });
}

async function finish(
  ctx: AttemptContext, task: TaskWithAttempts, environment: Environment | null, rec: AttemptRecord, workspace: Workspace,
  writer: EventWriter, emit: (b: EventBody) => Promise<void>, checkpoint: () => Promise<string>, outcome: AgentOutcome,
): Promise<void> {
  const commit = await checkpoint();
  if (outcome.kind === "waiting") {
    await emit({ type: "status", status: "waiting_for_input", waitingFor: outcome.waitingFor });
    return;
  }
  const turns = await ctx.store.attempts.turns(rec.id);
  const previous = turns.filter((t) => t.index < writer.turn && t.checkpointCommit).pop()?.checkpointCommit ?? task.baseCommit;
  const stats = await diffCommits({ gitDir: ctx.mirrorPath(task.repoId), base: previous, head: commit, limit: 1 });
  await emit({ type: "turn_completed", turn: Math.max(writer.turn, 1), commit: commit === task.baseCommit ? null : commit, filesChanged: stats.totalFiles, additions: stats.additions, deletions: stats.deletions });

  if (outcome.kind === "completed") {
    await ctx.store.attempts.setSummary(rec.id, outcome.summary);
    if (environment?.testCommand) {
      const run = await workspace.exec(environment.testCommand, { timeoutMs: environment.limits.commandTimeoutMs });
      const passed = run.exitCode === 0;
      await ctx.store.attempts.setTestsPassed(rec.id, passed);
      await emit({ type: "notice", level: passed ? "info" : "warning", message: `test command '${environment.testCommand}' ${passed ? "passed" : `failed (exit ${run.exitCode ?? "killed"})`}` });
    }
    await emit({ type: "status", status: "completed" });
  } else if (outcome.kind === "cancelled") {
    await emit({ type: "status", status: "cancelled", message: "cancelled; the partial diff is kept" });
  } else {
    await emit({ type: "status", status: "failed", reason: outcome.reason, message: outcome.message });
  }
}
