const REPLACEMENT = "[secret]";

function usableSecrets(values: string[]): string[] {
  // Longest first so a secret containing another is replaced whole; very short values would
  // redact ordinary text everywhere, so they are skipped.
  return [...new Set(values.filter((v) => v.length >= 4))].sort((a, b) => b.length - a.length);
}

/** Replaces every occurrence of any secret value with `[secret]`. */
export function createRedactor(secretValues: string[]): (text: string) => string {
  const secrets = usableSecrets(secretValues);
  if (secrets.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join(REPLACEMENT);
    return out;
  };
}

/**
 * Redacts a stream chunk by chunk. A secret may be split across two chunks, so the last
 * (longest secret - 1) characters are held back until more text arrives or the stream ends.
 */
export class StreamRedactor {
  private readonly redact: (text: string) => string;
  private readonly hold: number;
  private pending = "";

  constructor(secretValues: string[]) {
    const secrets = usableSecrets(secretValues);
    this.redact = createRedactor(secrets);
    this.hold = secrets.length === 0 ? 0 : Math.max(...secrets.map((s) => s.length)) - 1;
  }

  /** Returns the text that is safe to emit now. */
  push(chunk: string): string {
    if (this.hold === 0) return chunk;
    const redacted = this.redact(this.pending + chunk);
    // A secret could start inside the held tail; keep it unless a replacement ended there.
    let cut = Math.max(0, redacted.length - this.hold);
    const lastReplacement = redacted.lastIndexOf(REPLACEMENT);
    if (lastReplacement >= 0 && lastReplacement + REPLACEMENT.length > cut) cut = lastReplacement + REPLACEMENT.length;
    this.pending = redacted.slice(cut);
    return redacted.slice(0, cut);
  }

  /** Returns what is left at the end of the stream. */
  flush(): string {
    const rest = this.redact(this.pending);
    this.pending = "";
    return rest;
  }
}
