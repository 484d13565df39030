import { CadreError } from "@cadre/protocol";
import { CadreApiError } from "@cadre/client";

/** Exit codes, documented in `cadre --help`; scripts and CI jobs rely on them. */
export const EXIT = {
  ok: 0,
  /** The task (or one of its attempts) failed or was cancelled; a review found issues at the threshold. */
  taskFailed: 1,
  usage: 2,
  unreachable: 3,
  /** The server refused the request (not found, invalid, conflict...). */
  refused: 4,
  unauthorized: 5,
  /** The task is waiting for input (an answer or a plan approval). */
  waiting: 6,
  /** A local apply met conflicts. */
  conflict: 7,
} as const;

export const EXIT_HELP = `
Exit codes:
  0  success
  1  the task failed or was cancelled (with --wait), or a review found issues at --fail-on
  2  usage error (bad flag or argument)
  3  the server is unreachable
  4  the server refused the request (not found, invalid input, conflict)
  5  missing or wrong token
  6  the task is waiting for input (answer it with 'cadre answer' or 'cadre plan approve')
  7  a local apply met conflicts`;

export function exitCodeFor(e: unknown): number {
  if (e instanceof CadreApiError && e.code === "unavailable" && e.status === null) return EXIT.unreachable;
  if (e instanceof CadreError) {
    if (e.code === "unauthorized") return EXIT.unauthorized;
    if (e.code === "bad_request" || e.code === "validation_failed")
      return e instanceof CadreApiError ? EXIT.refused : EXIT.usage;
    return EXIT.refused;
  }
  return EXIT.refused;
}

/** Thrown by commands to end with a given code after printing `message`. */
export class CliExit extends Error {
  constructor(
    readonly code: number,
    message = "",
  ) {
    super(message);
  }
}
