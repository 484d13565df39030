import { normalizePunctuation } from "./normalize-punctuation.ts";

/** Increasingly lenient line comparisons, tried in this order over the whole search range. */
const COMPARISONS: ReadonlyArray<(s: string) => string> = [
  (s) => s,
  (s) => s.trimEnd(),
  (s) => s.trim(),
  (s) => normalizePunctuation(s).trim(),
];

/**
 * Index of the first occurrence of `pattern` in `lines` at or after `start`, or -1.
 * With `atEnd`, a match ending at the file's last line is preferred over earlier ones.
 */
export function seekSequence(
  lines: readonly string[],
  pattern: readonly string[],
  start: number,
  atEnd: boolean,
): number {
  if (pattern.length === 0) return atEnd ? lines.length : start;
  if (pattern.length > lines.length) return -1;
  const last = lines.length - pattern.length;
  for (const norm of COMPARISONS) {
    const want = pattern.map(norm);
    const matchesAt = (i: number): boolean => want.every((w, k) => norm(lines[i + k] ?? "") === w);
    if (atEnd && last >= start && matchesAt(last)) return last;
  }
  for (const norm of COMPARISONS) {
    const want = pattern.map(norm);
    for (let i = start; i <= last; i++) {
      if (want.every((w, k) => norm(lines[i + k] ?? "") === w)) return i;
    }
  }
  return -1;
}
