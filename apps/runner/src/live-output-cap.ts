import type { EventBody } from "@cadre/protocol";
import { firstBytes, OutputTail, type OutputPiece } from "./output-tail.ts";

export interface LiveOutputLimits {
  /** Live output stored from the start of one command (or setup phase). */
  headBytes: number;
  /** Live output stored from its end, once the head is full. */
  tailBytes: number;
  /** Live output stored over the whole attempt, every run and command together. */
  attemptBytes: number;
}

export const LIVE_OUTPUT_LIMITS: LiveOutputLimits = {
  headBytes: 256 * 1024,
  tailBytes: 64 * 1024,
  attemptBytes: 8 * 1024 * 1024,
};

type LiveOutput = Extract<EventBody, { type: "command_output" | "setup_output" }>;

interface Stream {
  /** Bytes the command wrote. */
  total: number;
  /** Bytes stored live so far. */
  stored: number;
  /** Past its head (or the attempt's budget): later output only feeds the tail. */
  capped: boolean;
  /** Whether the attempt's budget, not the command's head, cut it. */
  byAttempt: boolean;
  tail: OutputTail;
  /** The event that carries this stream's output (its callId or phase). */
  template: LiveOutput;
}

function streamKey(body: LiveOutput): string {
  return body.type === "command_output" ? `command:${body.callId}` : `setup:${body.phase}`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}

/**
 * Caps the live output an attempt stores: per command (and setup phase) its head and its tail,
 * per attempt a total. What is cut is announced once, when the command ends, by a notice saying
 * how much was dropped, followed by the tail. A command's own result is capped separately (the
 * environment's outputBytes), so the model and the reviewer still see how it ended.
 */
export class LiveOutputCap {
  private readonly streams = new Map<string, Stream>();
  private attemptStored: number;

  constructor(
    private readonly limits: LiveOutputLimits,
    /** Live output the attempt already stored in earlier runs. */
    alreadyStored: number,
  ) {
    this.attemptStored = alreadyStored;
  }

  /** The events to store in place of `body`: live output within the limits, and what ends a capped stream. */
  filter(body: EventBody): EventBody[] {
    if (body.type === "command_output" || body.type === "setup_output") return this.admit(body);
    if (body.type === "tool_result") return [...this.close(`command:${body.callId}`), body];
    // Setup ends before the run's status changes to running.
    if (body.type === "status") return [...this.close("setup:setup"), ...this.close("setup:maintenance"), body];
    return [body];
  }

  private admit(body: LiveOutput): EventBody[] {
    const key = streamKey(body);
    let stream = this.streams.get(key);
    if (!stream) {
      stream = {
        total: 0,
        stored: 0,
        capped: false,
        byAttempt: false,
        tail: new OutputTail(this.limits.tailBytes),
        template: body,
      };
      this.streams.set(key, stream);
    }
    const bytes = Buffer.byteLength(body.chunk);
    stream.total += bytes;
    const attemptRoom = this.limits.attemptBytes - this.attemptStored;
    const room = stream.capped ? 0 : Math.max(0, Math.min(this.limits.headBytes - stream.stored, attemptRoom));
    if (bytes <= room) return [this.store(stream, body, body.chunk)];
    const head = firstBytes(body.chunk, room);
    stream.capped = true;
    stream.byAttempt ||= attemptRoom < this.limits.headBytes - stream.stored;
    stream.tail.push({
      stream: body.type === "command_output" ? body.stream : "stdout",
      text: body.chunk.slice(head.length),
    });
    return head === "" ? [] : [this.store(stream, body, head)];
  }

  private store(stream: Stream, body: LiveOutput, chunk: string): EventBody {
    const bytes = Buffer.byteLength(chunk);
    stream.stored += bytes;
    this.attemptStored += bytes;
    return { ...body, chunk };
  }

  /** For a capped stream: the notice of what was dropped, then the tail the attempt still has room for. */
  private close(key: string): EventBody[] {
    const stream = this.streams.get(key);
    this.streams.delete(key);
    if (!stream?.capped) return [];
    stream.tail.trim(Math.max(0, this.limits.attemptBytes - this.attemptStored));
    const tailBytes = stream.tail.bytes;
    const pieces = stream.tail.take();
    const dropped = stream.total - stream.stored - tailBytes;
    const what = stream.template.type === "command_output" ? "this command's" : `the ${stream.template.phase} script's`;
    const why = stream.byAttempt
      ? `the attempt's live output reached its limit of ${formatBytes(this.limits.attemptBytes)}`
      : `live output keeps the first ${formatBytes(this.limits.headBytes)} and the last ${formatBytes(this.limits.tailBytes)} of each command`;
    const notice: EventBody = {
      type: "notice",
      level: "warning",
      message: `output truncated: ${formatBytes(dropped)} of ${what} ${formatBytes(stream.total)} of output were not stored (${why}).`,
    };
    return [notice, ...pieces.map((piece) => this.tailEvent(stream, piece))];
  }

  private tailEvent(stream: Stream, piece: OutputPiece): EventBody {
    this.attemptStored += Buffer.byteLength(piece.text);
    const template = stream.template;
    return template.type === "command_output"
      ? { ...template, stream: piece.stream, chunk: piece.text }
      : { ...template, chunk: piece.text };
  }
}
