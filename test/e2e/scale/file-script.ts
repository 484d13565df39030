import type { ScriptFunction } from "../../support/scripted-model/types.ts";

/**
 * A model that writes f0.txt … f<n-1>.txt, one shell step each, then ends. Like a real model told
 * "interrupted: … re-run it if still needed" after a runner died, it redoes a step whose result
 * was interrupted: the next file is the count of results that completed. `commandSeconds` makes
 * each command take that long, so a runner can be killed while one runs.
 */
export function fileWriterScript(
  steps: number,
  delayMs: number,
  options: { commandSeconds?: number } = {},
): ScriptFunction {
  const wait = options.commandSeconds ? `sleep ${options.commandSeconds} && ` : "";
  return (ctx) => {
    const done = ctx.request.messages
      .flatMap((m) => m.toolResults)
      .filter((r) => !r.output.startsWith("interrupted:")).length;
    if (done >= steps) return { text: `Wrote ${steps} files.` };
    return { delayMs, toolCalls: [{ name: "shell", input: { command: `${wait}echo step ${done} > f${done}.txt` } }] };
  };
}
