import { z } from "zod";
import { toWorkspacePath } from "../workspace-path.ts";
import type { AgentTool } from "./agent-tool.ts";
import { toolError } from "./agent-tool.ts";
import { formatExecOutput } from "./format-exec-output.ts";
import { parseToolInput } from "./parse-tool-input.ts";

/** Used only when the sandbox states no limit of its own. */
export const SHELL_DEFAULT_TIMEOUT_MS = 5 * 60_000;

const ShellInput = z.object({
  // Codex-trained models sometimes send argv arrays (["bash", "-lc", "..."]): accept them.
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]),
  workdir: z.string().optional(),
  timeout_ms: z.number().int().positive().optional(),
});

export const shellTool: AgentTool = {
  spec: {
    kind: "function",
    name: "shell",
    description:
      "Run a bash command in the workspace and get its exit code and output (long output keeps its head and tail). " +
      "Use it to explore (ls, rg, sed -n, cat), build and run tests. Commands do not keep state between calls; " +
      "workdir is relative to the workspace root. Each command is killed at the environment's time limit.",
    parameters: {
      type: "object",
      properties: {
        command: { type: "string", description: "The bash command line to run." },
        workdir: {
          type: "string",
          description: "Working directory relative to the workspace root (default: the root).",
        },
        timeout_ms: {
          type: "integer",
          description: "Timeout in milliseconds: can stop a command sooner than the environment's limit, never later.",
        },
      },
      required: ["command"],
      additionalProperties: false,
    },
  },
  async run(input, ctx) {
    const parsed = parseToolInput("shell", ShellInput, input);
    if (!parsed.ok) return toolError(parsed.error);
    const { workdir, timeout_ms } = parsed.value;
    const command = toCommandLine(parsed.value.command);
    let cwd: string | undefined;
    if (workdir !== undefined) {
      const p = toWorkspacePath(workdir, { allowWorkspaceAbsolute: true });
      if (!p.ok) return toolError(`shell: workdir ${p.error}.`);
      cwd = p.path;
    }
    // The environment's limit is a ceiling: the model may ask for less, never for more.
    const ceiling = ctx.sandbox.commandTimeoutMs ?? SHELL_DEFAULT_TIMEOUT_MS;
    const timeoutMs = Math.min(timeout_ms ?? ceiling, ceiling);
    // Output events are emitted in arrival order; the chain keeps them ordered without blocking the process.
    let chain: Promise<void> = Promise.resolve();
    let emitError: { error: unknown } | null = null;
    const r = await ctx.sandbox.exec(command, {
      cwd,
      timeoutMs,
      signal: ctx.signal,
      onOutput: (stream, chunk) => {
        chain = chain
          .then(() => (emitError ? undefined : ctx.emit({ type: "command_output", callId: ctx.callId, stream, chunk })))
          .catch((error: unknown) => {
            emitError ??= { error };
          });
      },
    });
    await chain;
    // The runner could not store the output: that is its failure to handle, not the command's.
    if (emitError) throw (emitError as { error: unknown }).error;
    return {
      output: formatExecOutput(r, { timeoutMs, atCeiling: timeoutMs === ceiling }),
      isError: r.exitCode !== 0,
      exitCode: r.exitCode,
      durationMs: r.durationMs,
      changedFiles: true,
      cancelled: r.cancelled,
    };
  },
};

/**
 * Whether a shell call ran exactly `command` (whitespace aside) at the workspace root: how the
 * runner tells that the agent ran the environment's test command itself.
 */
export function shellCallRuns(input: unknown, command: string): boolean {
  const parsed = ShellInput.safeParse(input);
  if (!parsed.success) return false;
  const workdir = parsed.data.workdir?.trim() ?? "";
  if (workdir !== "" && workdir !== "." && workdir !== "./") return false;
  const squash = (s: string) => s.trim().replace(/\s+/g, " ");
  return squash(toCommandLine(parsed.data.command)) === squash(command);
}

function toCommandLine(command: string | string[]): string {
  if (typeof command === "string") return command;
  if (command.length === 3 && /^(?:ba)?sh$/.test(command[0] ?? "") && /^-l?c$/.test(command[1] ?? ""))
    return command[2] ?? "";
  return command.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
