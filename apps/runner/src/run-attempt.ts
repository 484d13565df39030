import type { EventBody, FailureReason, HeldAttempt, RunContext, RunInput } from "@cadre/protocol";
import { diffStats } from "@cadre/git";
import { createModelClient, runAgent, type AgentOutcome } from "@cadre/agent";
import { SandboxError, type SandboxManager, type Workspace } from "@cadre/sandbox";
import { createRedactor } from "@cadre/secrets";
import { AttemptCheckpoint } from "./attempt-checkpoint.ts";
import { AttemptStatusTracker } from "./attempt-status.ts";
import { EventWriter, type SeqCursor } from "./event-writer.ts";
import { LIVE_OUTPUT_LIMITS, LiveOutputCap } from "./live-output-cap.ts";
import { sandboxEnvironment } from "./sandbox-environment.ts";
import { attemptWorkspace } from "./attempt-workspace.ts";
import { rebaseForConflicts } from "./resolve-conflicts.ts";
import { testRunMarker } from "./test-runs.ts";
import type { RepoAccess } from "./repo-access.ts";
import type { RunnerTransport } from "./runner-transport.ts";

export interface AttemptContext {
  transport: RunnerTransport;
  repos: RepoAccess;
  sandboxes: SandboxManager;
  log: (line: string) => void;
}

const TURN_STARTING = new Set(["prompt", "followup", "resolve_conflicts"]);

export function attemptRef(taskId: string, attemptId: string): string {
  return `refs/cadre/tasks/${taskId}/${attemptId}`;
}

type Emit = (b: EventBody) => Promise<void>;

/** How a run ended: the agent's outcome, or a failure the runner itself decided (e.g. the time limit). */
type RunOutcome = AgentOutcome | { kind: "failed"; reason: FailureReason; message: string };

/** What one run of an attempt works with, once its context is read and its workspace is ready. */
interface Run {
  ctx: AttemptContext;
  context: RunContext;
  rec: HeldAttempt;
  mirror: string;
  workspace: Workspace;
  writer: EventWriter;
  emit: Emit;
  status: AttemptStatusTracker;
  checkpoint: () => Promise<string>;
  base: string;
}

/**
 * Runs one claimed attempt until it completes, fails, is cancelled or waits for input. Everything
 * it needs comes from the server (`attemptContext`: task, environment with secrets, model settings,
 * budgets) and everything it does goes back there: every step is an event stored before the next,
 * and the workspace is checkpointed and published after file-changing tool calls and at the end.
 */
export async function runAttempt(
  ctx: AttemptContext,
  claimed: HeldAttempt,
  seq: SeqCursor,
  signal: AbortSignal,
): Promise<void> {
  const context = await ctx.transport.call("attemptContext", { params: { id: claimed.id } });
  const { task } = context;
  const rec = context.attempt;
  seq.last = rec.lastSeq;
  const sandboxEnv = sandboxEnvironment(context.environment);
  const writer = new EventWriter({
    transport: ctx.transport,
    attemptId: rec.id,
    seq,
    turn: rec.turnCount,
    redact: createRedactor(Object.values(sandboxEnv.secrets)),
    cap: new LiveOutputCap(LIVE_OUTPUT_LIMITS, context.liveOutputBytes),
  });
  const emit: Emit = (b) => writer.emit(b);
  const status = new AttemptStatusTracker(rec.id, rec.status, emit);
  const input = rec.pendingInput;

  if (rec.cancelRequested || signal.aborted) {
    await status.move("cancel", { message: "cancelled before it ran" });
    return;
  }
  const startsTurn = input !== null && TURN_STARTING.has(input.kind);
  if (startsTurn || rec.status === "queued") await status.move("provision");

  let base = rec.baseCommit ?? task.baseCommit;
  let head = rec.headCommit ?? base;
  let mirror = await ctx.repos.prepare(task.repoId, [base, head, ...(context.branchHead ? [context.branchHead] : [])]);
  let agentInput: RunInput | null = input;
  let fresh = false;
  const ref = attemptRef(task.id, rec.id);
  if (input?.kind === "resolve_conflicts" && context.branchHead) {
    const rebased = await rebaseForConflicts(mirror, context.branchHead, base, head);
    if (rebased) {
      base = rebased.base;
      head = rebased.commit;
      fresh = true;
      await ctx.repos.publish(task.repoId, ref, head);
      // The checkpoint carries the new base: the store moves the attempt onto it with the head.
      await emit({ type: "checkpoint", commit: head, turn: writer.turn + 1, base });
      agentInput = {
        kind: "resolve_conflicts",
        text: rebased.conflictPaths.length
          ? `${input.text}\nThe branch ${task.baseRef} moved; your change was replayed onto its new head (${base.slice(0, 12)}). These files have conflict markers (<<<<<<< ======= >>>>>>>) to resolve: ${rebased.conflictPaths.join(", ")}. Resolve them keeping both intents, remove every marker, and run the tests.`
          : `${input.text}\nThe branch ${task.baseRef} moved; your change was replayed onto its new head (${base.slice(0, 12)}) without conflicts. Check that it still works (run the tests).`,
      };
    }
  }
  mirror = await ctx.repos.prepare(task.repoId, [base, head]);

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
    await status.move("fail", { reason, message: e instanceof Error ? e.message : String(e) });
    return;
  }
  await recordImage(ctx, rec, workspace, emit);

  const checkpoints = new AttemptCheckpoint({
    workspace,
    mirror,
    base,
    head,
    ref,
    emit,
    publish: (commit) => ctx.repos.publish(task.repoId, ref, commit),
  });
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
  const run: Run = { ctx, context, rec, mirror, workspace, writer, emit, status, checkpoint, base };

  try {
    if (startsTurn) {
      writer.turn += 1;
      await emit({ type: "turn_started", turn: writer.turn });
    }
    await status.move("start");
    await finish(run, await runWithinLimit(run, agentInput, signal));
  } finally {
    await workspace.release().catch((e: Error) => ctx.log(`release of ${rec.id} failed: ${e.message}`));
  }
}

/** The image the attempt runs on, with the digest its setup layer pinned (`cadre task show` shows it). */
async function recordImage(ctx: AttemptContext, rec: HeldAttempt, workspace: Workspace, emit: Emit): Promise<void> {
  const image = workspace.image;
  if (!image || (rec.image?.digest === image.digest && rec.image.reference === image.reference)) return;
  await ctx.transport.call("recordAttempt", { params: { id: rec.id }, body: { image } });
  await emit({ type: "notice", level: "info", message: `running on image ${image.reference} (${image.digest})` });
}

/** Runs the agent within the environment's wall-clock limit: past it the model and the command stop, reason timeout. */
async function runWithinLimit(run: Run, input: RunInput | null, signal: AbortSignal): Promise<RunOutcome> {
  // A tool's result is stored only once its file changes are checkpointed: a runner killed between
  // the two would otherwise leave a result whose changes the runner taking over never sees.
  const markTestRun = testRunMarker(run.context.environment.testCommand);
  const durableEmit: Emit = async (b) => {
    if (b.type === "tool_result") await run.checkpoint();
    await run.emit(markTestRun(b));
  };
  const limitMs = run.context.environment.limits.attemptTimeoutMs;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error("attempt time limit")), limitMs);
  let outcome: RunOutcome;
  try {
    outcome = await runModel(run, input, durableEmit, AbortSignal.any([signal, deadline.signal]));
  } finally {
    clearTimeout(timer);
  }
  if (deadline.signal.aborted && !signal.aborted && outcome.kind === "cancelled") {
    return {
      kind: "failed",
      reason: "timeout",
      message: `the attempt ran past its limit of ${Math.round(limitMs / 60_000)} minutes (the environment's attemptTimeoutMs); its partial diff is kept`,
    };
  }
  return outcome;
}

async function runModel(run: Run, input: RunInput | null, emit: Emit, signal: AbortSignal): Promise<AgentOutcome> {
  const { ctx, context, rec } = run;
  if (!context.model.ok) return { kind: "failed", reason: "model_error", message: context.model.message };
  const settings = ctx.transport.modelSettings(context.model.settings);
  const { items } = await ctx.transport.call("attemptHistory", { params: { id: rec.id } });
  const history = items.map(({ attemptId: _a, taskId: _t, seq: _s, turn: _u, at: _at, ...body }) => body as EventBody);
  return runAgent({
    model: createModelClient(settings),
    sandbox: run.workspace,
    mode: context.task.mode,
    history,
    input,
    instructions: context.environment.instructions ? { environment: context.environment.instructions } : {},
    budgets: context.budgets,
    price: settings.price ?? undefined,
    signal,
    emit,
    inbox: async () =>
      (await ctx.transport.call("attemptInbox", { params: { id: rec.id } })).items.map((m) => ({
        id: m.id,
        text: m.text,
        stop: m.stop,
        by: m.createdBy,
      })),
    checkpoint: async () => {
      await run.checkpoint();
    },
  });
}

async function finish(run: Run, outcome: RunOutcome): Promise<void> {
  const { ctx, context, rec, writer, emit, status, base } = run;
  const commit = await run.checkpoint();
  if (outcome.kind === "waiting") {
    await status.move("wait", { waitingFor: outcome.waitingFor });
    return;
  }
  const { items: turns } = await ctx.transport.call("attemptTurns", { params: { id: rec.id } });
  const previous = turns.filter((t) => t.index < writer.turn && t.checkpointCommit).pop()?.checkpointCommit ?? base;
  const mirror = await ctx.repos.prepare(context.task.repoId, [previous, commit]);
  // Only totals are needed here; a turn that changed nothing runs no git at all.
  const turnStats = await diffStats({ gitDir: mirror, base: previous, head: commit });
  const whole = previous === base ? turnStats : await diffStats({ gitDir: mirror, base, head: commit });
  await emit({
    type: "turn_completed",
    turn: Math.max(writer.turn, 1),
    commit: commit === base ? null : commit,
    filesChanged: turnStats.totalFiles,
    additions: turnStats.additions,
    deletions: turnStats.deletions,
    changes: { filesChanged: whole.totalFiles, additions: whole.additions, deletions: whole.deletions },
    ...(outcome.kind === "completed" ? { summary: outcome.summary } : {}),
  });

  if (outcome.kind === "completed") {
    await runTestCommand(run);
    const { notice } = await ctx.transport.call("pushFollowUp", { params: { id: rec.id }, body: { commit } });
    if (notice) await emit({ type: "notice", ...notice });
    // Messages sent after the agent's last step become a follow-up turn (the server does it on this event).
    await status.move("complete");
  } else if (outcome.kind === "cancelled") {
    await status.move("cancel", { message: "cancelled; the partial diff is kept" });
  } else {
    await status.move("fail", { reason: outcome.reason, message: outcome.message });
  }
}

/** The environment's test command on the final state: whether it passes is recorded and told. */
async function runTestCommand(run: Run): Promise<void> {
  const { testCommand, limits } = run.context.environment;
  if (!testCommand) return;
  const result = await run.workspace.exec(testCommand, { timeoutMs: limits.commandTimeoutMs });
  const passed = result.exitCode === 0;
  await run.emit({
    type: "notice",
    level: passed ? "info" : "warning",
    message: `test command '${testCommand}' ${passed ? "passed" : `failed (exit ${result.exitCode ?? "killed"}${result.limit ? `, ${result.limit}` : ""})`}`,
    testsPassed: passed,
  });
}
