/**
 * Collects a command's interleaved output up to a byte limit, keeping the head and the tail
 * (the start shows what ran, the end shows how it failed) with a marker for what was dropped.
 */
export class OutputCollector {
  private head = "";
  private headBytes = 0;
  private tail: string[] = [];
  private tailBytes = 0;
  private total = 0;
  private readonly half: number;

  constructor(limitBytes: number) {
    this.half = Math.max(1, Math.floor(limitBytes / 2));
  }

  push(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.total += bytes;
    if (this.headBytes < this.half && this.tail.length === 0) {
      const room = this.half - this.headBytes;
      if (bytes <= room) {
        this.head += text;
        this.headBytes += bytes;
        return;
      }
      const part = sliceBytes(text, room);
      this.head += part;
      this.headBytes += Buffer.byteLength(part);
      text = text.slice(part.length);
    }
    this.tail.push(text);
    this.tailBytes += Buffer.byteLength(text);
    while (this.tail.length > 1 && this.tailBytes - Buffer.byteLength(this.tail[0] ?? "") >= this.half) {
      this.tailBytes -= Buffer.byteLength(this.tail.shift() ?? "");
    }
  }

  get totalBytes(): number {
    return this.total;
  }

  get truncated(): boolean {
    return this.total > this.headBytes + Math.min(this.tailBytes, this.half);
  }

  result(): string {
    let tail = this.tail.join("");
    const tailBytes = Buffer.byteLength(tail);
    if (tailBytes > this.half) tail = tailFromBytes(tail, this.half);
    const kept = this.headBytes + Buffer.byteLength(tail);
    const omitted = this.total - kept;
    if (omitted <= 0) return this.head + tail;
    return `${this.head}\n[... ${omitted} bytes omitted ...]\n${tail}`;
  }
}

function sliceBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text).subarray(0, maxBytes);
  // Drop a partial UTF-8 sequence at the cut.
  return buf.toString("utf8").replace(/\uFFFD$/, "");
}

function tailFromBytes(text: string, maxBytes: number): string {
  const buf = Buffer.from(text);
  return buf
    .subarray(buf.length - maxBytes)
    .toString("utf8")
    .replace(/^\uFFFD/, "");
}
