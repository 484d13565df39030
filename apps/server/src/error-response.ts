import { CadreError, HTTP_STATUS, type ErrorEnvelope } from "@cadre/protocol";
import { ZodError } from "zod";
import { isTransient } from "@cadre/store";
import { describeZodError } from "./zod-message.ts";

export { describeZodError } from "./zod-message.ts";

/** The one place errors become HTTP responses. Unknown errors are logged and hidden. */
export function toErrorResponse(
  err: unknown,
  log: (msg: string) => void = console.error,
): { status: number; body: ErrorEnvelope } {
  if (err instanceof CadreError) {
    return {
      status: HTTP_STATUS[err.code],
      body: {
        error: {
          code: err.code,
          message: err.message,
          ...(err.details === undefined ? {} : { details: err.details }),
          ...(err.command === undefined ? {} : { command: err.command }),
        },
      },
    };
  }
  if (err instanceof ZodError) {
    return {
      status: 400,
      body: {
        error: {
          code: "validation_failed",
          message: describeZodError(err),
          details: err.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        },
      },
    };
  }
  // Two requests racing past a "name already taken" check meet the unique index instead.
  if (isUniqueViolation(err)) {
    const detail = /Key \((.+)\)=\((.+)\) already exists/.exec(err.detail ?? "");
    const what = detail ? `a ${detail[1]} '${detail[2]}'` : "that name";
    return {
      status: 409,
      body: { error: { code: "conflict", message: `${what} already exists: choose another or use the existing one` } },
    };
  }
  // The database is restarting or unreachable: a retry later succeeds (runners do retry).
  if (isTransient(err))
    return {
      status: 503,
      body: { error: { code: "unavailable", message: "the database is unavailable right now: retry in a moment" } },
    };
  log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return {
    status: 500,
    body: { error: { code: "internal", message: "internal server error: see the server log for details" } },
  };
}

/** The error for a request no route matches. */
export function noRoute(method: string, path: string): CadreError {
  return new CadreError("not_found", `no route ${method} ${path}: see the API route table in packages/protocol`);
}

/** PostgreSQL's unique_violation, as raised by both the pg driver and PGlite. */
function isUniqueViolation(err: unknown): err is { code: string; detail?: string } {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "23505";
}
