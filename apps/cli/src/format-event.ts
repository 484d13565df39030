import type { Event } from "@cadre/protocol";

const color = (code: number) => (s: string, on: boolean) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
const dim = color(2);
const red = color(31);
const green = color(32);
const yellow = color(33);
const cyan = color(36);
const bold = color(1);

function commandOf(input: unknown): string | null {
  if (input && typeof input === "object" && "command" in input) {
    const c = (input as { command: unknown }).command;
    return Array.isArray(c) ? c.join(" ") : typeof c === "string" ? c : null;
  }
  return null;
}

/** One event as terminal lines (empty string for events not shown). */
export function formatEvent(e: Event, opts: { color: boolean; verbose?: boolean }): string {
  const c = opts.color;
  switch (e.type) {
    case "status": {
      const tail = [
        e.waitingFor ? `for ${e.waitingFor.replace("_", " ")}` : "",
        e.reason ? `(${e.reason})` : "",
        e.message ?? "",
      ]
        .filter(Boolean)
        .join(" ");
      const paint =
        e.status === "failed"
          ? red
          : e.status === "completed"
            ? green
            : e.status === "waiting_for_input"
              ? yellow
              : cyan;
      return paint(`● ${e.status}${tail ? ` ${tail}` : ""}`, c);
    }
    case "user_message":
      if (e.kind === "message")
        return bold(`> [${e.stop ? "stop and ask" : "message"}${e.by ? ` from ${e.by}` : ""}] ${e.text}`.trimEnd(), c);
      return bold(`> ${e.kind === "prompt" ? "" : `[${e.kind.replace("_", " ")}] `}${e.text}`, c);
    case "turn_started":
      return dim(`── turn ${e.turn}`, c);
    case "turn_completed":
      return dim(
        `── turn ${e.turn} done: ${e.filesChanged} file${e.filesChanged === 1 ? "" : "s"} changed, +${e.additions} -${e.deletions}`,
        c,
      );
    case "assistant_message":
      return e.text;
    case "reasoning":
      return opts.verbose ? dim(e.text, c) : "";
    case "tool_call": {
      const cmd = e.name === "shell" ? commandOf(e.input) : null;
      if (cmd !== null) return cyan(`$ ${cmd}`, c);
      if (e.name === "update_plan" || e.name === "request_user_input") return "";
      return cyan(`⚙ ${e.name}`, c);
    }
    case "command_output":
      return e.chunk.replace(/\n$/, "");
    case "tool_result": {
      if (e.name === "shell") {
        const status = e.interrupted ? "interrupted" : e.exitCode === 0 ? "exit 0" : `exit ${e.exitCode ?? "killed"}`;
        return dim(`  ↳ ${status}${e.durationMs != null ? ` in ${(e.durationMs / 1000).toFixed(1)}s` : ""}`, c);
      }
      if (e.name === "update_plan" || e.name === "request_user_input") return "";
      return (e.isError ? red : dim)(
        e.output
          .split("\n")
          .map((l) => `  ${l}`)
          .join("\n"),
        c,
      );
    }
    case "plan":
      return [
        "Plan:",
        ...(e.explanation ? [`  ${e.explanation}`] : []),
        ...e.steps.map(
          (s) => `  ${s.status === "completed" ? "[x]" : s.status === "in_progress" ? "[~]" : "[ ]"} ${s.step}`,
        ),
      ].join("\n");
    case "question":
      return yellow(
        e.questions
          .map((q, i) => `? ${i + 1}. ${q.question}\n${q.options.map((o) => `     - ${o}`).join("\n")}`)
          .join("\n"),
        c,
      );
    case "usage":
      return opts.verbose
        ? dim(
            `  usage: ${e.usage.inputTokens} in (${e.usage.cachedInputTokens} cached), ${e.usage.outputTokens} out, $${e.usage.costUsd.toFixed(4)}`,
            c,
          )
        : "";
    case "checkpoint":
      return opts.verbose ? dim(`  checkpoint ${e.commit.slice(0, 12)}`, c) : "";
    case "compaction":
      return dim(`  context compacted: ${e.tokensBefore} → ${e.tokensAfter} tokens`, c);
    case "setup_output":
      return dim(e.chunk.replace(/\n$/, ""), c);
    case "network_blocked":
      return yellow(`! network blocked: ${e.method} ${e.host} (${e.reason})`, c);
    case "notice":
      return (e.level === "error" ? red : e.level === "warning" ? yellow : dim)(`! ${e.message}`, c);
    case "expected_paths":
      return opts.verbose ? dim(`  expects to touch: ${e.paths.join(", ")}`, c) : "";
    case "potential_conflict":
      return yellow(`! potential conflict with task ${e.otherTaskId} on ${e.paths.join(", ")}`, c);
  }
}
