import type { EventBody } from "@cadre/protocol";
import { buildSystemPrompt } from "../instructions/build-system-prompt.ts";
import { loadAgentsMd } from "../instructions/agents-md.ts";
import type { ToolSpec } from "../model-client.ts";
import { ModelError } from "../model-client.ts";
import type { ToolResult } from "../tools/agent-tool.ts";
import { selectTools } from "../tools/select-tools.ts";
import type { AgentOutcome, RunAgentOptions } from "./agent-options.ts";
import { budgetExceeded, usageTotals } from "./budgets.ts";
import { COMPACT_AT, COMPACTION_SYSTEM_PROMPT, KEEP_RECENT, SUMMARIZE_INPUT, itemsToSummarize } from "./compaction.ts";
import { estimateRequestTokens } from "./estimate-tokens.ts";
import { isPlanApproved, lastIsCompaction, settledOutcome } from "./history-state.ts";
import { INTERRUPTED_RESULT, rebuildConversation } from "./rebuild-conversation.ts";
import { runTool, toResultEvent } from "./run-tool.ts";
import { SinkError } from "./sink-error.ts";
import { streamReply } from "./stream-reply.ts";
import { detectStuck } from "./stuck-detector.ts";
import { deliverMessages } from "./deliver-messages.ts";
import { usageCost } from "./usage-cost.ts";

const CANCELLED: AgentOutcome = { kind: "cancelled" };

/**
 * Runs the agent until it answers without a tool call (completed), must wait for the user,
 * fails, or is cancelled. Every step is emitted (and stored by the runner) before the next one,
 * and the conversation is rebuilt from those events, so a new runner can resume with `input: null`.
 */
export async function runAgent(opts: RunAgentOptions): Promise<AgentOutcome> {
  const events: EventBody[] = [...opts.history];
  const emit = async (e: EventBody): Promise<void> => {
    try {
      await opts.emit(e);
    } catch (err) {
      throw new SinkError(err);
    }
    events.push(e);
  };
  // Several events at once: queued together, so a sink that batches can store them in one write.
  const emitAll = async (list: EventBody[]): Promise<void> => {
    try {
      await Promise.all(list.map((e) => opts.emit(e)));
    } catch (err) {
      throw new SinkError(err);
    }
    events.push(...list);
  };
  const checkpoint = async (): Promise<void> => {
    try {
      await opts.checkpoint();
    } catch (err) {
      throw new SinkError(err);
    }
  };
  try {
    return await drive({ ...opts, checkpoint }, events, { emit, emitAll });
  } catch (err) {
    // The runner's own failures (storing an event, checkpointing) are its to handle: rethrow them as they came.
    if (err instanceof SinkError) throw err.cause;
    if (opts.signal.aborted) return CANCELLED;
    if (err instanceof ModelError) {
      if (err.kind === "cancelled") return CANCELLED;
      return {
        kind: "failed",
        reason: "model_error",
        message: `Model ${opts.model.name} failed (${err.kind}): ${err.message}`,
      };
    }
    return {
      kind: "failed",
      reason: "internal",
      message: `Internal error in the agent loop: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

interface Emitters {
  emit: (e: EventBody) => Promise<void>;
  emitAll: (list: EventBody[]) => Promise<void>;
}

async function drive(opts: RunAgentOptions, events: EventBody[], emitters: Emitters): Promise<AgentOutcome> {
  const { emit, emitAll } = emitters;
  const { model, signal } = opts;
  const keepTokens = Math.floor(model.contextWindow * KEEP_RECENT);
  if (signal.aborted) return CANCELLED;

  // Calls in flight when a previous runner died get a result, so the history stays valid for the model API.
  for (const c of rebuildConversation(events, keepTokens).interrupted) {
    await emit({
      type: "tool_result",
      callId: c.callId,
      name: c.name,
      output: INTERRUPTED_RESULT,
      isError: true,
      interrupted: true,
    });
  }
  if (opts.input) await emit({ type: "user_message", kind: opts.input.kind, text: opts.input.text });
  if (!events.some((e) => e.type === "user_message")) {
    return {
      kind: "failed",
      reason: "internal",
      message: "Nothing to run: the attempt has no prompt. Start it with an input of kind 'prompt'.",
    };
  }

  const planApproved = isPlanApproved(events);
  const finalOutcome = (summary: string): AgentOutcome =>
    opts.mode === "plan" && !planApproved
      ? { kind: "waiting", waitingFor: "plan_approval" }
      : { kind: "completed", summary };

  if (!opts.input) {
    const resumed = settledOutcome(events, keepTokens, finalOutcome);
    if (resumed) return resumed;
  }

  const tools = selectTools({ family: model.family, mode: opts.mode, planApproved });
  const specs: ToolSpec[] = tools.map((t) => t.spec);
  const agentsMd = await loadAgentsMd(opts.sandbox, opts.workdir ?? ".");
  if (agentsMd.truncated) {
    const message = `AGENTS.md instructions (${agentsMd.totalBytes} bytes in ${agentsMd.files.join(", ")}) exceed the 32 KiB budget; the agent sees only the first 32 KiB.`;
    if (!events.some((e) => e.type === "notice" && e.message === message))
      await emit({ type: "notice", level: "warning", message });
  }
  const system = buildSystemPrompt({
    family: model.family,
    mode: opts.mode,
    planApproved,
    agentsMd: agentsMd.text,
    environment: opts.instructions?.environment,
    task: opts.instructions?.task,
  });

  const nextStep = (): number => usageTotals(events).steps + 1;
  const usageEvent = (usage: Parameters<typeof usageCost>[0]): EventBody => ({
    type: "usage",
    model: model.name,
    step: nextStep(),
    usage: { ...usage, costUsd: usageCost(usage, opts.price) },
  });
  const emitUsage = (usage: Parameters<typeof usageCost>[0]): Promise<void> => emit(usageEvent(usage));

  const compact = async (tokensBefore: number): Promise<void> => {
    const { items } = rebuildConversation(events, keepTokens);
    const prompt = items.find((i) => i.role === "user") ?? null;
    const summarize = (share: number) =>
      streamReply(model, {
        system: COMPACTION_SYSTEM_PROMPT,
        items: itemsToSummarize(items, prompt, Math.floor(model.contextWindow * share)),
        tools: [],
        signal,
      });
    let reply;
    try {
      reply = await summarize(SUMMARIZE_INPUT);
    } catch (err) {
      // The history to summarize may itself be too long for the model's real tokenizer: read less of it.
      if (!(err instanceof ModelError && err.kind === "context_overflow")) throw err;
      reply = await summarize(SUMMARIZE_INPUT / 2);
    }
    await emitUsage(reply.usage);
    const summary = reply.text.trim() || "(the summary came back empty; re-inspect the workspace to recover the state)";
    const after = rebuildConversation(
      [...events, { type: "compaction", tokensBefore, tokensAfter: 0, summary }],
      keepTokens,
    ).items;
    await emit({ type: "compaction", tokensBefore, tokensAfter: estimateRequestTokens(system, after, specs), summary });
  };

  // Tokens the chars/4 estimate missed on the last call (tokenizers differ); added to the next estimate.
  let calibration = 0;
  let overflowRetried = false;
  for (;;) {
    if (signal.aborted) return CANCELLED;
    // Messages typed while the agent worked join the conversation here, between two steps.
    if ((await deliverMessages(opts.inbox, emit)).stop) return { kind: "waiting", waitingFor: "answer" };
    const over = budgetExceeded(usageTotals(events), opts.budgets);
    if (over) return { kind: "failed", reason: "budget_exceeded", message: over };

    let { items } = rebuildConversation(events, keepTokens);
    let estimate = estimateRequestTokens(system, items, specs);
    // Never twice in a row: if the instructions alone fill the window, compacting again cannot help.
    if (estimate + calibration > COMPACT_AT * model.contextWindow && !lastIsCompaction(events)) {
      await compact(estimate + calibration);
      items = rebuildConversation(events, keepTokens).items;
      estimate = estimateRequestTokens(system, items, specs);
      const overAfter = budgetExceeded(usageTotals(events), opts.budgets);
      if (overAfter) return { kind: "failed", reason: "budget_exceeded", message: overAfter };
    }

    let reply;
    try {
      reply = await streamReply(model, { system, items, tools: specs, signal });
    } catch (err) {
      if (err instanceof ModelError && err.kind === "context_overflow" && !overflowRetried && !signal.aborted) {
        overflowRetried = true;
        await compact(Math.max(estimate + calibration, model.contextWindow));
        continue;
      }
      throw err;
    }
    overflowRetried = false;
    calibration = Math.max(0, reply.usage.inputTokens - estimate);

    // The reply's events go out with its first tool call, in one write, still before any tool runs.
    const replyEvents: EventBody[] = [];
    if (reply.reasoning.trim()) replyEvents.push({ type: "reasoning", text: reply.reasoning });
    if (reply.text.trim()) replyEvents.push({ type: "assistant_message", text: reply.text });
    replyEvents.push(usageEvent(reply.usage));
    if (reply.toolCalls.length === 0) {
      await emitAll(replyEvents);
      // A message that came in during the last step still gets an answer before the run ends.
      const late = await deliverMessages(opts.inbox, emit);
      if (late.stop) return { kind: "waiting", waitingFor: "answer" };
      if (late.delivered > 0) continue;
      return finalOutcome(reply.text.trim() || "The agent finished without a final message.");
    }

    let waiting = false;
    for (const [index, call] of reply.toolCalls.entries()) {
      const callEvent: EventBody = { type: "tool_call", callId: call.callId, name: call.name, input: call.input };
      await emitAll(index === 0 ? [...replyEvents, callEvent] : [callEvent]);
      // Every call gets a result, even those skipped, so the conversation stays valid.
      const result: ToolResult = waiting
        ? { output: "Not run: the run paused for the user's answer. Call it again if still needed.", isError: true }
        : signal.aborted
          ? { output: "Not run: the run was cancelled.", isError: true }
          : await runTool(tools, call, opts, emit);
      await emit(toResultEvent(call, result));
      // A read-only workspace (ask mode) has nothing to checkpoint.
      if (
        result.changedFiles &&
        !opts.sandbox.readOnly &&
        (call.name !== "shell" || opts.checkpointAfterShell !== false)
      )
        await opts.checkpoint();
      if (result.waitFor === "answer") waiting = true;
    }
    if (signal.aborted) return CANCELLED;
    if (waiting) return { kind: "waiting", waitingFor: "answer" };

    const stuck = detectStuck(events);
    if (stuck) {
      await emit({
        type: "question",
        callId: `stuck-${nextStep()}`,
        questions: [
          {
            question: `The agent seems stuck: ${stuck}. How should it proceed?`,
            options: ["Try a different approach", "Stop and summarize what was done"],
          },
        ],
      });
      return { kind: "failed", reason: "stuck", message: `The agent was stopped because it is looping: ${stuck}.` };
    }
  }
}
