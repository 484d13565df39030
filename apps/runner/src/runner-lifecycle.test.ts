import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  canTransition,
  DEFAULT_LIMITS,
  IllegalTransitionError,
  NetworkPolicy,
  ZERO_USAGE,
  type AppendEventsBody,
  type AttemptStatus,
  type EventBody,
  type HeldAttempt,
  type RunContext,
  type RunnerSessionRouteName,
} from "@cadre/protocol";
import { SandboxManager } from "@cadre/sandbox";
import { runAttempt } from "./run-attempt.ts";
import { Runner } from "./runner.ts";
import { testMirror } from "./testing-mirror.ts";
import type { RunnerCallInput, RunnerCallOutput, RunnerTransport } from "./runner-transport.ts";

const { dir, mirror, base, remove } = testMirror("cadre-runner-lifecycle-");
const sandboxes = new SandboxManager({ root: join(dir, "sandboxes") });
const repos = { prepare: async () => mirror, publish: async () => undefined };

let counter = 0;
function heldAttempt(status: AttemptStatus): HeldAttempt {
  counter += 1;
  return {
    id: `att_${process.pid}_${counter}`,
    taskId: "tsk_1",
    index: 1,
    status,
    waitingFor: null,
    failureReason: null,
    failureMessage: null,
    summary: null,
    headCommit: null,
    baseCommit: null,
    changes: null,
    turnCount: 1,
    runnerId: "runner_1",
    testsPassed: null,
    image: null,
    usage: ZERO_USAGE,
    lastSeq: 3,
    runRequested: true,
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    needsRun: true,
    pendingInput: null,
    cancelRequested: false,
    leaseExpiresAt: null,
  };
}

function runContext(attempt: HeldAttempt, baseCommit = base): RunContext {
  return {
    attempt,
    task: { id: "tsk_1", repoId: "repo_1", title: "t", mode: "code", model: "m", baseRef: "main", baseCommit },
    environment: {
      key: "env-1",
      name: null,
      setupScript: "",
      maintenanceScript: "",
      variables: {},
      secrets: {},
      networkPolicy: NetworkPolicy.parse({ mode: "off" }),
      limits: DEFAULT_LIMITS,
      setupTtlMs: 3_600_000,
      image: null,
      testCommand: "",
      instructions: "",
    },
    model: { ok: false, message: "no model in this test" },
    budgets: { maxSteps: 10, maxTokens: 10_000, maxCostUsd: 1 },
    liveOutputBytes: 0,
    branchHead: null,
  };
}

/**
 * The server's side of the runner API for one attempt, keeping its status as the store does: an
 * append whose status move protocol's lifecycle refuses answers 409 (IllegalTransitionError) and
 * stores nothing of its batch. It hands the attempt to the first poll.
 */
class AttemptServer {
  readonly stored: EventBody[] = [];
  readonly calls: RunnerSessionRouteName[] = [];
  readonly refusals: IllegalTransitionError[] = [];
  private given = false;

  constructor(
    public status: AttemptStatus,
    private readonly context: RunContext,
  ) {}

  readonly transport: RunnerTransport = {
    register: async () => ({ runnerId: "runner_1", session: "session", leaseMs: 30_000 }),
    modelSettings: (settings) => settings,
    call: <K extends RunnerSessionRouteName>(name: K, input: RunnerCallInput<K>, signal?: AbortSignal) =>
      this.answer(name, input, signal) as Promise<RunnerCallOutput<K>>,
  };

  private async answer(name: RunnerSessionRouteName, input: unknown, signal?: AbortSignal): Promise<unknown> {
    this.calls.push(name);
    const id = this.context.attempt.id;
    switch (name) {
      case "pollRunner":
        if (!this.given) {
          this.given = true;
          return { claimed: [this.context.attempt], cancel: [] };
        }
        await new Promise((resolve) => signal?.addEventListener("abort", resolve, { once: true }));
        return { claimed: [], cancel: [] };
      case "heartbeatRunner":
        return { held: [id], cancel: [] };
      case "attemptContext":
        return this.context;
      case "attemptHistory":
        return { items: [] };
      case "appendEvents":
        return this.append((input as { body: AppendEventsBody }).body);
      case "releaseAttempt":
      case "leaveRunner":
        return { ok: true };
      default:
        throw new Error(`this test does not expect ${name}`);
    }
  }

  private append(body: AppendEventsBody): { lastSeq: number } {
    let status = this.status;
    for (const event of body.events) {
      if (event.type !== "status") continue;
      if (!canTransition(status, event.status)) {
        const refusal = new IllegalTransitionError(this.context.attempt.id, status, event.status);
        this.refusals.push(refusal);
        throw refusal;
      }
      status = event.status;
    }
    this.status = status;
    this.stored.push(...body.events);
    return { lastSeq: (body.afterSeq ?? 0) + body.events.length };
  }
}

describe("the runner and the attempt lifecycle", () => {
  afterAll(remove);

  it("stops a run cleanly when the server refuses its status move (409): nothing stored, the agent never runs", async () => {
    // The runner believes it takes over a running attempt; the server has it completed.
    const attempt = heldAttempt("running");
    const server = new AttemptServer("completed", runContext(attempt));
    const lines: string[] = [];
    const runner = new Runner({
      transport: server.transport,
      repos,
      sandboxes,
      slots: 1,
      name: "lifecycle-test",
      log: (line) => lines.push(line),
    });
    await runner.start();
    // The run ends by itself: once the refused run recorded its failure (refused too), no attempt is active.
    while (server.refusals.length < 2 || runner.activeCount > 0)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await runner.stop();

    expect(server.refusals.map((refusal) => refusal.code)).toEqual(["conflict", "conflict"]);
    expect(server.refusals[0]?.message).toContain("is completed and cannot become running");
    expect(server.stored).toEqual([]);
    expect(server.status).toBe("completed");
    // It never read the history the agent starts from: the agent did not run.
    expect(server.calls).not.toContain("attemptHistory");
    expect(lines.join("\n")).toContain("cannot become running");
  });

  it("refuses a move the lifecycle does not allow before sending it (a finished attempt cannot fail)", async () => {
    // A completed attempt run again without a new turn, whose workspace cannot be made (no such base).
    const attempt = heldAttempt("completed");
    const server = new AttemptServer("completed", runContext(attempt, "0".repeat(40)));
    const run = runAttempt(
      { transport: server.transport, repos, sandboxes, log: () => undefined },
      attempt,
      { last: attempt.lastSeq },
      new AbortController().signal,
    );
    const refused = await run.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(IllegalTransitionError);
    expect((refused as IllegalTransitionError).message).toContain("is completed and cannot become failed");
    expect(server.calls).not.toContain("appendEvents");
    expect(server.stored).toEqual([]);
  });
});
