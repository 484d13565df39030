import { z } from "zod";

export const ErrorCode = z.enum([
  "bad_request",
  "validation_failed",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  /** A runner wrote for an attempt it no longer holds: it must stop that attempt. */
  "lease_lost",
  "payload_too_large",
  "rate_limited",
  "not_configured",
  "git_failed",
  "image_failed",
  "forge_failed",
  "unavailable",
  "internal",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.unknown().optional(),
    /** The cadre command that does what the message advises: the CLI prints it; the web app offers its own way. */
    command: z.string().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/** The one base error: a code, a message saying what went wrong and what to do. */
export class CadreError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  /** The cadre command that does what the message advises, kept apart so each surface gives its own advice. */
  readonly command: string | undefined;
  constructor(code: ErrorCode, message: string, details?: unknown, command?: string) {
    super(message);
    this.name = "CadreError";
    this.code = code;
    this.details = details;
    this.command = command;
  }
}

/** The single mapping of error codes to HTTP statuses. */
export const HTTP_STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  lease_lost: 409,
  payload_too_large: 413,
  rate_limited: 429,
  not_configured: 422,
  git_failed: 422,
  image_failed: 422,
  // the forge (GitHub, GitLab, Gitea) refused or failed: a bad gateway from the client's view
  forge_failed: 502,
  unavailable: 503,
  internal: 500,
};
