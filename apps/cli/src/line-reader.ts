import { createInterface } from "node:readline";

/**
 * Answers to prompts, one line each, from a terminal or a pipe. Lines that arrive before the
 * question is asked are queued (readline's own question() would drop them when piped).
 */
export class LineReader {
  private readonly lines: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;
  private readonly rl;

  constructor(input: NodeJS.ReadableStream = process.stdin) {
    this.rl = createInterface({ input, terminal: false });
    this.rl.on("line", (l) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(l);
      } else this.lines.push(l);
    });
    this.rl.on("close", () => {
      this.ended = true;
      this.waiting?.(null);
    });
  }

  /** The next line, or null at end of input. */
  next(): Promise<string | null> {
    if (this.lines.length) return Promise.resolve(this.lines.shift() as string);
    if (this.ended) return Promise.resolve(null);
    return new Promise((r) => (this.waiting = r));
  }

  close(): void {
    this.rl.close();
  }
}
