import type { ExecResult } from "../agent-sandbox.ts";

/** How much command output the model sees: the head and the tail, since errors tend to be at either end. */
export const MODEL_OUTPUT_LIMIT = 16 * 1024;

/** Shapes a command's result into the concise text the model reads. */
export function formatExecOutput(
  r: ExecResult,
  opts: { timeoutMs: number; limit?: number; atCeiling?: boolean },
): string {
  const limit = opts.limit ?? MODEL_OUTPUT_LIMIT;
  const header: string[] = [];
  if (r.cancelled) header.push("Command cancelled (the run was stopped).");
  else if (r.timedOut)
    header.push(
      `Command timed out after ${formatSeconds(opts.timeoutMs)} and was killed. ${
        opts.atCeiling
          ? "That is the environment's limit per command: run long work in smaller pieces."
          : "Run long tasks with a larger timeout_ms or in smaller pieces."
      }`,
    );
  else header.push(`Exit code: ${r.exitCode ?? "none (killed by a signal)"}${r.limit ? ` (${r.limit})` : ""}`);
  header.push(`Wall time: ${formatSeconds(r.durationMs)}`);

  const text = r.output;
  let body: string;
  if (text.trim() === "") body = "(no output)";
  else if (text.length <= limit && !r.truncated) body = text;
  else {
    const half = Math.floor(limit / 2);
    const head = text.length > limit ? text.slice(0, half) : text;
    const tail = text.length > limit ? text.slice(-half) : "";
    const shown = head.length + tail.length;
    body = `${head}\n[... output truncated: ${r.totalBytes} bytes in total, ${shown} characters shown (head and tail) ...]\n${tail}`;
  }
  return `${header.join("\n")}\nOutput:\n${body.replace(/\n$/, "")}`;
}

function formatSeconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${ms}ms`;
}
