/** A piece of live output and the stream it came from. */
export interface OutputPiece {
  stream: "stdout" | "stderr";
  text: string;
}

/** The last `limit` bytes of a stream of pieces, kept in order with their streams. */
export class OutputTail {
  private pieces: OutputPiece[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  get bytes(): number {
    return this.size;
  }

  push(piece: OutputPiece): void {
    if (this.limit <= 0 || piece.text === "") return;
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.stream === piece.stream) last.text += piece.text;
    else this.pieces.push({ ...piece });
    this.size += Buffer.byteLength(piece.text);
    this.trim(this.limit);
  }

  /** Keeps at most `limit` bytes, dropping from the front (never half a character). */
  trim(limit: number): void {
    while (this.size > limit && this.pieces.length > 0) {
      const first = this.pieces[0] as OutputPiece;
      const bytes = Buffer.byteLength(first.text);
      if (this.size - bytes >= limit) {
        this.pieces.shift();
        this.size -= bytes;
        continue;
      }
      const keep = limit - (this.size - bytes);
      const kept = lastBytes(first.text, keep);
      this.size -= bytes - Buffer.byteLength(kept);
      first.text = kept;
      if (kept === "") this.pieces.shift();
    }
  }

  /** The kept pieces, oldest first. */
  take(): OutputPiece[] {
    const pieces = this.pieces;
    this.pieces = [];
    this.size = 0;
    return pieces;
  }
}

/** The longest suffix of `text` of at most `maxBytes` bytes that starts on a character. */
function lastBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  let start = Math.max(0, buffer.length - maxBytes);
  // Skip UTF-8 continuation bytes (10xxxxxx): they belong to a character cut off at the front.
  while (start < buffer.length && ((buffer[start] as number) & 0xc0) === 0x80) start++;
  return buffer.subarray(start).toString("utf8");
}

/** The longest prefix of `text` of at most `maxBytes` bytes that ends on a character. */
export function firstBytes(text: string, maxBytes: number): string {
  const buffer = Buffer.from(text);
  if (buffer.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && ((buffer[end] as number) & 0xc0) === 0x80) end--;
  return buffer.subarray(0, end).toString("utf8");
}
