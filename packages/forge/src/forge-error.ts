import { CadreError } from "@cadre/protocol";

/** Why a forge refused: the user-facing message says which, and what to do about it. */
export type ForgeProblem = "credentials" | "permission" | "not_found" | "invalid" | "rate_limited" | "unavailable";

/**
 * A forge refused or failed a call. `problem` lets callers react (a revoked token is shown on the
 * forge's page); the message names the forge, the call and the fix.
 */
export class ForgeError extends CadreError {
  constructor(
    readonly problem: ForgeProblem,
    message: string,
    readonly status: number | null,
  ) {
    super(problem === "not_found" ? "not_found" : "forge_failed", message, { problem, status });
    this.name = "ForgeError";
  }
}

/** The HTTP status and the forge's own message from an error a client library threw. */
export function statusOf(error: unknown): { status: number | null; message: string } {
  const status =
    typeof (error as { status?: unknown }).status === "number" ? (error as { status: number }).status : null;
  const data = (error as { response?: { data?: { message?: unknown } } }).response?.data;
  const message =
    typeof data?.message === "string" ? data.message : error instanceof Error ? error.message : String(error);
  return { status, message };
}

/** Turns a client library's error into a ForgeError that says what to do. */
export function forgeError(input: { forge: string; title: string; what: string; error: unknown }): ForgeError {
  if (input.error instanceof ForgeError) return input.error;
  const { status, message } = statusOf(input.error);
  const where = `${input.title} (forge '${input.forge}') ${input.what}`;
  if (status === 401)
    return new ForgeError(
      "credentials",
      `${where}: the credentials were refused (${message}). The token may be revoked or expired: set a new one with 'cadre forge update ${input.forge} --token-env VAR' (or check the app's private key and installation id)`,
      status,
    );
  if (status === 403 && /rate limit/i.test(message))
    return new ForgeError(
      "rate_limited",
      `${where}: rate limited (${message}); Cadre retries after the time the forge asks`,
      status,
    );
  if (status === 403)
    return new ForgeError(
      "permission",
      `${where}: not allowed (${message}). Give the token or app the permission this needs (contents, issues, pull requests, checks: read and write) on the repository`,
      status,
    );
  if (status === 404)
    return new ForgeError(
      "not_found",
      `${where}: not found (${message}); check the repository name and that the credentials can see it`,
      status,
    );
  if (status === 422) return new ForgeError("invalid", `${where}: refused as invalid (${message})`, status);
  if (status === 429) return new ForgeError("rate_limited", `${where}: rate limited (${message})`, status);
  return new ForgeError(
    "unavailable",
    `${where} failed: ${message}${status ? ` (HTTP ${status})` : ""}; check that ${input.title} is reachable at the forge's API URL`,
    status,
  );
}
