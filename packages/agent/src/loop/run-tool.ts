import type { EventBody } from "@cadre/protocol";
import type { ToolCall } from "../model-client.ts";
import type { AgentTool, ToolResult } from "../tools/agent-tool.ts";
import type { RunAgentOptions } from "./agent-options.ts";
import { SinkError } from "./sink-error.ts";

/** Runs one tool call; a missing tool or a tool that throws becomes an error result the model can read. */
export async function runTool(
  tools: readonly AgentTool[],
  call: ToolCall,
  opts: RunAgentOptions,
  emit: (e: EventBody) => Promise<void>,
): Promise<ToolResult> {
  const tool = tools.find((t) => t.spec.name === call.name);
  if (!tool) {
    return {
      output: `Tool ${call.name} is not available${opts.mode === "code" ? "" : ` in ${opts.mode} mode`}. Available tools: ${tools.map((t) => t.spec.name).join(", ")}.`,
      isError: true,
    };
  }
  try {
    return await tool.run(call.input, { sandbox: opts.sandbox, callId: call.callId, signal: opts.signal, emit });
  } catch (err) {
    if (err instanceof SinkError) throw err;
    if (opts.signal.aborted) return { output: "Cancelled: the run was stopped.", isError: true, cancelled: true };
    return { output: `${call.name} failed: ${err instanceof Error ? err.message : String(err)}`, isError: true };
  }
}

export function toResultEvent(call: ToolCall, r: ToolResult): EventBody {
  return {
    type: "tool_result",
    callId: call.callId,
    name: call.name,
    output: r.output,
    isError: r.isError,
    ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    ...(r.files !== undefined ? { files: r.files } : {}),
  };
}
