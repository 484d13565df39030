import type { EventBody } from "@cadre/protocol";
import { shellCallRuns } from "@cadre/agent";

/**
 * Watches an attempt's events for the agent running the environment's test command itself, and
 * marks that run's result (`testRun`), which the store projects as the attempt's test result (the
 * final run at completion overrides it).
 */
export function testRunMarker(testCommand: string): (e: EventBody) => EventBody {
  const testCalls = new Set<string>();
  return (e) => {
    if (!testCommand.trim()) return e;
    if (e.type === "tool_call" && e.name === "shell" && shellCallRuns(e.input, testCommand)) testCalls.add(e.callId);
    if (e.type === "tool_result" && testCalls.has(e.callId) && !e.interrupted) return { ...e, testRun: true };
    return e;
  };
}
