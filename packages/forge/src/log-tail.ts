/** How much of the end of a CI log a follow-up gets (the failure is nearly always at the end). */
const LOG_TAIL = 20_000;

/** The end of a job's log, saying how much was left out before it. */
export function logTail(text: string): string {
  return text.length > LOG_TAIL
    ? `[... ${text.length - LOG_TAIL} characters before this ...]\n${text.slice(-LOG_TAIL)}`
    : text;
}
