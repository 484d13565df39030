import type { Ora } from "ora";
import type { Event } from "@cadre/protocol";
import type { Output } from "./cli-context.ts";
import { formatEvent } from "./format-event.ts";

/** A one-line summary of what an attempt is doing, for the spinner. */
function stepOf(e: Event): string | null {
  switch (e.type) {
    case "status":
      return e.status.replace(/_/g, " ");
    case "tool_call": {
      const input = e.input as { command?: unknown } | null;
      return e.name === "shell" && input && typeof input.command === "string"
        ? `$ ${input.command.slice(0, 60)}`
        : e.name;
    }
    case "assistant_message":
      return "thinking";
    case "setup_output":
      return "running setup";
    case "plan":
      return `plan: ${e.steps.find((s) => s.status === "in_progress")?.step ?? `${e.steps.length} steps`}`;
    default:
      return null;
  }
}

/**
 * Progress while waiting: a spinner with each attempt's current step on a terminal, plain
 * status lines otherwise (CI logs), or the live log with --follow.
 */
export class Progress {
  private spinner: Ora | null = null;
  private stopped = false;
  private text: string;
  private readonly steps = new Map<number, string>();

  constructor(
    private readonly o: Output,
    private readonly mode: "spinner" | "lines" | "log" | "silent",
    private readonly label: string,
  ) {
    this.text = label;
    if (mode === "spinner") void this.startSpinner();
  }

  /** ora (with its terminal helpers) is loaded only when a spinner is shown: most runs never need it. */
  private async startSpinner(): Promise<void> {
    const { default: ora } = await import("ora");
    if (!this.stopped) this.spinner = ora({ text: this.text, stream: process.stderr }).start();
  }

  static for(o: Output, opts: { json?: boolean; follow?: boolean }, label: string): Progress {
    if (opts.follow) return new Progress(o, "log", label);
    // A terminal that reports no width (a fresh pseudo-terminal) would make the spinner redraw forever.
    const spin = o.isTTY && process.stderr.isTTY && process.stderr.columns > 0;
    if (opts.json) return new Progress(o, spin ? "spinner" : "silent", label);
    return new Progress(o, spin ? "spinner" : "lines", label);
  }

  event(e: Event, attempt: number): void {
    if (this.mode === "log") {
      const line = formatEvent(e, { color: this.o.isTTY });
      if (line) this.o.out(line);
      return;
    }
    const step = stepOf(e);
    if (!step) return;
    if (this.mode === "lines" && e.type === "status")
      this.o.err(`attempt ${attempt}: ${step}${e.message ? ` - ${e.message}` : ""}`);
    this.steps.set(attempt, step);
    this.text = `${this.label} ${[...this.steps].map(([i, s]) => (this.steps.size > 1 ? `#${i} ${s}` : s)).join(" | ")}`;
    if (this.spinner) this.spinner.text = this.text;
  }

  stop(): void {
    this.stopped = true;
    this.spinner?.stop();
  }
}
