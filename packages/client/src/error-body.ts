import { ErrorEnvelope } from "@cadre/protocol";
import { CadreApiError } from "./client-error.ts";

/**
 * The one place an error answer becomes an error, for plain calls and event streams alike: the
 * envelope's code, message, details and command, or `fallback` when the body is not an envelope.
 */
export function errorFromBody(status: number, body: unknown, fallback: string): CadreApiError {
  const envelope = ErrorEnvelope.safeParse(body);
  if (envelope.success) {
    const { code, message, details, command } = envelope.data.error;
    return new CadreApiError(code, message, status, { details, command });
  }
  return new CadreApiError(
    status === 401 ? "unauthorized" : status === 404 ? "not_found" : "internal",
    fallback,
    status,
  );
}

/** A body's JSON, or undefined when it is empty or not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch {
    return undefined;
  }
}
