import type { EventBody } from "@cadre/protocol";
import { shellCallRuns } from "@cadre/agent";
import type { RunnerTransport } from "./runner-transport.ts";

/**
 * Watches an attempt's events for the agent running the environment's test command itself, and
 * records that run's outcome as the attempt's test result (the final run at completion overrides it).
 */
export function testRunRecorder(
  transport: RunnerTransport,
  attemptId: string,
  testCommand: string,
): (e: EventBody) => Promise<void> {
  const testCalls = new Set<string>();
  return async (e) => {
    if (!testCommand.trim()) return;
    if (e.type === "tool_call" && e.name === "shell" && shellCallRuns(e.input, testCommand)) testCalls.add(e.callId);
    if (e.type === "tool_result" && testCalls.has(e.callId) && !e.interrupted)
      await transport.call("recordAttempt", { params: { id: attemptId }, body: { testsPassed: e.exitCode === 0 } });
  };
}
